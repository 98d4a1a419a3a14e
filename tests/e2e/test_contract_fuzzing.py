"""Contract fuzzing: schemathesis against a live gunicorn server, on SQLite and on PostgreSQL.

Every operation, every check, positive and negative data, all four phases: first the
documented examples as written on a fresh server (only the Idempotency-Key is made fresh),
then coverage of the schema's edges, random fuzzing, and stateful sequences along the
document's links, with the hooks below. Zero failures allowed: no 5xx, no response
outside the documented schema, no undocumented status, nothing valid refused and
nothing invalid accepted.

Bounded by examples per operation (HIREMIX_FUZZ_EXAMPLES, default 30) and a fixed
seed (HIREMIX_FUZZ_SEED, default 1) so that CI is repeatable; set another seed to
explore further. tests/e2e/schemathesis_hooks.py holds the rules a JSON
Schema cannot state (fresh Idempotency-Keys, weight profiles that exist, thresholds
in order, a CSV header row).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.servers import create_key, gunicorn
from tests.e2e.test_real_clients import AUDIT_TOO, operation_count

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


# In the examples phase, ids in paths come from earlier answers. Two operations need an id no answer of that
# phase carries (a delivery exists once the worker-side queue has one; a share link's id appears only in its own
# 201, under `id`), so they meet their documented 404 there; the generated phases reach them along the links.
EXAMPLES_WITHOUT_TEST_DATA = {"POST /v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/resend",
                              "DELETE /v1/share-links/{share_link_id}"}


def _only_missing_test_data(stdout: str, allowed: set[str]) -> bool:
    """The run's only warning is "Missing test data", for operations in `allowed` alone."""
    lines = stdout[stdout.find("= WARNINGS =") + 12:stdout.find("= SUMMARY =")].splitlines()
    headings = [line for line in lines if line.strip() and not line.startswith((" ", "💡", "="))]
    listed = {line.strip()[2:] for line in lines if line.startswith("  - ")}
    return (len(headings) == 1 and headings[0].startswith("Missing test data") and bool(listed)
            and listed <= allowed)


def _schemathesis(server, key: str, tmp_path: Path, phases: str, hooks: str,
                  without_test_data: set[str] = frozenset()) -> str:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{server.base}/openapi.json",
        "--header", f"Authorization: Bearer {key}",
        "--checks", "all",
        "--phases", phases,
        "--mode", "all",
        "--max-examples", os.environ.get("HIREMIX_FUZZ_EXAMPLES", "30"),
        "--seed", os.environ.get("HIREMIX_FUZZ_SEED", "1"),
        "--generation-database", "none",
        "--request-timeout", "20",
        # One worker: with two, hypothesis describes lambdas with ast.parse from two threads at once,
        # which CPython 3.11.7 can fail with "AST constructor recursion depth mismatch" (gh-106905).
        "--workers", "1",
        "--no-color",
        "--report", "junit", "--report-junit-path", str(tmp_path / f"junit-{phases.replace(',', '-')}.xml"),
    ]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "SCHEMATHESIS_HOOKS": hooks, "PYTHONPATH": str(ROOT)})
    summary = run.stdout[run.stdout.find("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-4000:]
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-4000:]
    clean = "No issues found" in summary or (
        "Failures:" not in summary and _only_missing_test_data(run.stdout, without_test_data))
    assert f"Selected: {OPERATIONS}/{OPERATIONS}" in summary and clean, run.stdout[-6000:]
    return summary


# Every operation of the committed document but GET /openapi.json, the schema's own URL, which schemathesis leaves out.
OPERATIONS = operation_count() - 1


def test_schemathesis_finds_nothing(backend_env, tmp_path):
    # Both runs send requests without a key or with a wrong one (they must get 401), many more than the
    # 30 a minute one address may get before it is held off with 429.
    env = {**backend_env, "HIREMIX_RATE_LIMIT": "1000000/minute", "HIREMIX_AUTH_FAILURE_LIMIT": "1000000/minute"}
    key = create_key(env, "schemathesis", *AUDIT_TOO)  # the audit log's examples need audit:read too
    with gunicorn(env, key) as server:
        # The documented examples as written, on a fresh server: only the Idempotency-Key is made fresh.
        examples = _schemathesis(server, key, tmp_path, "examples", "tests.e2e.schemathesis_examples_hooks",
                                 EXAMPLES_WITHOUT_TEST_DATA)
        # Every operation has at least one documented example (the Hiremix-Version header's, if nothing else).
        assert "✅ Examples" in examples and f"Tested: {OPERATIONS}" in examples, examples
        generated = _schemathesis(server, key, tmp_path, "coverage,fuzzing,stateful", "tests.e2e.schemathesis_hooks")
    assert f"Tested: {OPERATIONS}" in generated, generated
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in generated, generated
