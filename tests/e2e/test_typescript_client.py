"""A TypeScript client from the committed openapi.yaml: openapi-typescript's types (no options) and
openapi-fetch. contract/clients/typescript/usage.ts passes `tsc --strict`, then runs with Node against
gunicorn: create, page through a list that mixes answers stored by the first releases with new ones, a
422 read through the problem's errors, old answers fetched and revalidated with their ETags."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.servers import create_key, gunicorn, sqlite_env
from tests.e2e.test_real_clients import CONTRACT, SPEC, node_env, node_tool
from tests.fixtures.stored import store_for_key

pytestmark = pytest.mark.e2e

PROGRAM = CONTRACT / "clients" / "typescript"


def test_generated_typescript_client_type_checks_and_reads_every_stored_shape(tmp_path):
    generator, tsc = node_tool("openapi-typescript"), node_tool("tsc")
    work = tmp_path / "typescript"
    shutil.copytree(PROGRAM, work, ignore=shutil.ignore_patterns("schema.d.ts", "out", "node_modules"))
    (work / "node_modules").symlink_to(CONTRACT / "node_modules", target_is_directory=True)

    generated = subprocess.run([str(generator), str(SPEC), "-o", str(work / "schema.d.ts")],
                               capture_output=True, text=True, env=node_env(), timeout=120)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    compiled = subprocess.run([str(tsc), "--strict", "-p", str(work / "tsconfig.json")],
                              capture_output=True, text=True, env=node_env(), timeout=180)
    assert compiled.returncode == 0, f"tsc --strict:\n{compiled.stdout}{compiled.stderr}"

    env = sqlite_env(tmp_path)
    key = create_key(env, "typescript client")
    old_ids = store_for_key(env["DATABASE_URL"], key)
    with gunicorn(env, key) as server:
        run = subprocess.run(["node", str(work / "out" / "usage.js")], capture_output=True, text=True, timeout=120,
                             env={**node_env(), "HIREMIX_URL": server.base, "HIREMIX_KEY": key,
                                  "HIREMIX_OLD_IDS": ",".join(old_ids)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"typescript client: ok ({len(old_ids) + 1} recommendations listed)" in run.stdout, run.stdout
