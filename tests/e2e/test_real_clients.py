"""Real clients against a real server, built only from the committed openapi.yaml.

- Postman: the collection as an integrator imports it (openapi-to-postmanv2, example parameters, folders by
  tag), run by newman with only `baseUrl` and the key set on the collection; and contract/postman.js's
  collection, which adds assertions (documented 2xx status, Content-Type, response schema) to every
  documented example, on SQLite and on PostgreSQL.
- Redocly CLI (`recommended`) and Spectral (`spectral:oas`) lint openapi.yaml: no finding at all.
- openapi-python-client generates a Python client; contract/clients/python/usage.py, written on it, passes
  `mypy --strict` and runs against gunicorn (the TypeScript client: test_typescript_client.py).

The node tools come from `npm ci --prefix contract` (CI runs it); without them these
tests are skipped outside CI and fail in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from service.keys import DEFAULT_SCOPES
from tests.e2e.servers import create_key, gunicorn, sqlite_env
from tests.fixtures.stored import store_for_key

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contract"
SPEC = ROOT / "openapi.yaml"
PYTHON_USAGE = CONTRACT / "clients" / "python"
BIN = CONTRACT / "node_modules" / ".bin"
IN_CI = os.environ.get("CI", "").lower() == "true"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# What openapi-python-client cannot express, by design of the generator rather than
# a fault of the document: it only knows JSON (and a few other) bodies. Any other
# warning fails the test, so a spec change that makes the client lose an operation,
# a parameter or a model is noticed.
KNOWN_GENERATOR_LIMITS = {
    ("GET /openapi.yaml", "Unsupported content_type application/yaml"),  # the YAML answer is left out
    ("POST /v1/recommendations/batch", "Unsupported content type text/csv"),  # only the JSON body is offered
}


# Every documented example must succeed, GET /v1/audit-events's too: its key needs audit:read beyond the defaults.
AUDIT_TOO = [option for scope in (*DEFAULT_SCOPES, "audit:read") for option in ("--scope", scope)]


def node_tool(name: str) -> Path:
    """contract/node_modules/.bin/NAME, or a skip (outside CI) or failure (in CI) saying how to get it."""
    tool = BIN / name
    if shutil.which("node") and tool.exists():
        return tool
    reason = (f"{os.path.relpath(tool, ROOT)} is missing: run `npm ci --prefix contract` (needs Node 20.19+ and npm)"
              if shutil.which("node") else "node is not installed (Node 20.19+ runs the contract tools)")
    if IN_CI:
        pytest.fail(f"CI needs the contract tools: {reason}")
    pytest.skip(reason)


def node_env() -> dict:
    """No telemetry or update checks from the node tools: CI reaches only package registries."""
    return {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
            "NO_UPDATE_NOTIFIER": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"}


def newman_failures(report: Path) -> list[str]:
    """One line per failed assertion or request error from newman's JSON report."""
    if not report.exists():
        return []
    run = json.loads(report.read_text())["run"]
    lines = []
    for failure in run.get("failures", []):
        source = failure.get("source", {}).get("name", "?")
        error = failure.get("error", {})
        lines.append(f"{source}: {error.get('test') or error.get('name')}: {error.get('message')}")
    return lines


def test_newman_runs_every_documented_example_as_documented(backend_env, tmp_path):
    newman = node_tool("newman")
    collection, report = tmp_path / "hiremix.postman_collection.json", tmp_path / "newman.json"
    converted = subprocess.run(["node", str(CONTRACT / "postman.js"), "--spec", str(SPEC), "--output", str(collection)],
                               capture_output=True, text=True, env=node_env(), timeout=120)
    assert converted.returncode == 0, converted.stderr + converted.stdout

    key = create_key(backend_env, "newman", *AUDIT_TOO)
    with gunicorn(backend_env, key) as server:
        run = subprocess.run(
            [str(newman), "run", str(collection), "--env-var", f"baseUrl={server.base}", "--env-var", f"apiKey={key}",
             "--color", "off", "--disable-unicode", "--timeout-request", "30000",
             "--reporters", "cli,json", "--reporter-json-export", str(report)],
            capture_output=True, text=True, env=node_env(), timeout=300)

    failures = newman_failures(report)
    if run.returncode != 0 or failures:
        output = ANSI.sub("", run.stdout + run.stderr)
        table = [line.rstrip() for line in output.splitlines() if line.lstrip().startswith(("|", "--"))]
        pytest.fail(f"newman: {len(failures)} failure(s) running the documented examples of openapi.yaml:\n"
                    + "\n".join(failures) + "\n\nnewman's summary:\n"
                    + ("\n".join(table) if table else output[-6000:]), pytrace=False)
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["requests"]["total"] >= len(json.loads(collection.read_text())["item"]) > 0
    assert stats["assertions"]["failed"] == 0 and stats["assertions"]["total"] > 0


def test_redocly_recommended_ruleset_finds_nothing():
    redocly = node_tool("redocly")
    lint = subprocess.run([str(redocly), "lint", "--config", str(CONTRACT / "redocly.yaml"), "--format", "stylish",
                           str(SPEC)], capture_output=True, text=True, cwd=ROOT, env=node_env(), timeout=120)
    output = ANSI.sub("", lint.stdout + lint.stderr)
    findings = [line for line in output.splitlines() if re.search(r"^\s*\d+:\d+\s+(error|warning)\s", line)]
    if lint.returncode != 0 or findings or "is valid" not in output:
        pytest.fail(f"redocly lint (recommended ruleset) found problems in openapi.yaml:\n{output[-8000:]}",
                    pytrace=False)


def test_spectral_oas_ruleset_finds_nothing():
    spectral = node_tool("spectral")
    lint = subprocess.run([str(spectral), "lint", "--ruleset", str(CONTRACT / ".spectral.yaml"), "--fail-severity",
                           "hint", "--format", "json", "--quiet", str(SPEC)],
                          capture_output=True, text=True, cwd=ROOT, env=node_env(), timeout=120)
    try:
        findings = json.loads(lint.stdout or "[]")
    except json.JSONDecodeError:
        pytest.fail(f"spectral did not run:\n{lint.stdout[-4000:]}{lint.stderr[-4000:]}", pytrace=False)
    shown = "\n".join(f"{f['code']} {'.'.join(map(str, f['path']))}: {f['message']}" for f in findings)
    assert lint.returncode == 0 and not findings, f"spectral:oas found {len(findings)}:\n{shown}{lint.stderr}"


# The converted collection addresses these by their documented example ids, which only exist on a server that
# made them: on a fresh server they answer their documented 404, every other request 2xx.
NEEDS_A_MADE_RESOURCE = {
    ("GET", "/v1/recommendations/{id}"), ("DELETE", "/v1/recommendations/{id}"),
    ("GET", "/v1/recommendations/{id}/page"), ("POST", "/v1/weight-profiles/{profile_id}/versions"),
    ("GET", "/v1/webhook-endpoints/{endpoint_id}"), ("PATCH", "/v1/webhook-endpoints/{endpoint_id}"),
    ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"), ("POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"),
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/test"), ("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"),
    ("POST", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/resend"),
    ("POST", "/v1/recommendations/{id}/share-links"), ("GET", "/v1/recommendations/{id}/share-links"),
    ("GET", "/v1/share-links/{share_link_id}"), ("DELETE", "/v1/share-links/{share_link_id}"),
}


def operation_count() -> int:
    spec = yaml.safe_load(SPEC.read_text())
    return sum(method in ("get", "post", "put", "patch", "delete") for item in spec["paths"].values() for method in item)


def test_postman_import_as_documented_runs_with_only_base_url_and_key(tmp_path):
    """The collection as a Postman user gets it (openapi-to-postmanv2, example parameters, folders by tag), run
    twice by newman with only `baseUrl` and the key set on the collection: no 401 from per-request auth, no
    reused Idempotency-Key, every example body accepted."""
    converter, newman = node_tool("openapi2postmanv2"), node_tool("newman")
    collection = tmp_path / "imported.json"
    converted = subprocess.run([str(converter), "-s", str(SPEC), "-o", str(collection), "-O",
                                "parametersResolution=Example,folderStrategy=Tags"],
                               capture_output=True, text=True, env=node_env(), timeout=120)
    assert converted.returncode == 0, converted.stdout + converted.stderr
    imported = json.loads(collection.read_text())
    assert imported.get("auth", {}).get("type") == "bearer", "the key cannot be set once, on the collection"
    token = imported["auth"]["bearer"][0]["value"]  # "{{bearerToken}}": a collection variable to fill in
    assert re.fullmatch(r"\{\{\w+\}\}", token), token

    env = sqlite_env(tmp_path)
    key = create_key(env, "postman", *AUDIT_TOO)
    with gunicorn(env, key) as server:
        imported["variable"] = [{"key": "baseUrl", "value": server.base}, {"key": token[2:-2], "value": key}]
        collection.write_text(json.dumps(imported))
        for attempt in (1, 2):  # the second run meets the first run's Idempotency-Keys and data
            report = tmp_path / f"run{attempt}.json"
            subprocess.run([str(newman), "run", str(collection), "--color", "off", "--disable-unicode",
                            "--reporters", "json", "--reporter-json-export", str(report)],
                           capture_output=True, text=True, env=node_env(), timeout=300)
            executions = json.loads(report.read_text())["run"]["executions"]
            answers = {}
            for execution in executions:
                request = execution["item"]["request"]
                template = "/" + "/".join(part if not part.startswith(":") else "{" + part[1:] + "}"
                                          for part in request["url"]["path"])
                answers[(request["method"], template)] = execution["response"]["code"]
            assert len(answers) == len(executions) == operation_count(), sorted(answers)
            wrong = {request: code for request, code in answers.items()
                     if not (code == 404 if request in NEEDS_A_MADE_RESOURCE else 200 <= code < 300)}
            assert not wrong, f"run {attempt}: {wrong}"


def generator_warnings(output: str) -> set[tuple[str, str]]:
    """(operation, first line of the message) of each `WARNING parsing ...` openapi-python-client printed."""
    return {(operation, message.strip()) for operation, message in
            re.findall(r"WARNING parsing (\S+ \S+) within \S+\.\n\n(.+)", output)}


def test_generated_python_client_type_checks_and_reads_every_stored_shape(tmp_path):
    """contract/clients/python/usage.py, written against the generated client, passes `mypy --strict` and runs
    against gunicorn: create, page through a list that mixes documents stored by earlier releases with new
    ones, a 422 read through the problem's errors, an old document fetched and revalidated with its ETag."""
    package = tmp_path / "hiremix_client"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(SPEC), "--output-path", str(package),
         "--meta", "none"], capture_output=True, text=True, env=env, timeout=300)
    log = generated.stdout + generated.stderr
    assert generated.returncode == 0, log
    assert "ruff is not in PATH" not in log and "Skipping Integration" not in log, log
    warnings = generator_warnings(log)
    assert warnings or "Warning(s) encountered" not in log, f"unreadable generator warnings:\n{log}"
    unexpected = {warning for warning in warnings
                  if not any(warning[0] == operation and known in warning[1]
                             for operation, known in KNOWN_GENERATOR_LIMITS)}
    assert not unexpected, f"openapi-python-client warned about openapi.yaml:\n{log}"
    for name in ("usage.py", "mypy.ini"):
        shutil.copy(PYTHON_USAGE / name, tmp_path / name)

    checked = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "usage.py"], cwd=tmp_path,
                             capture_output=True, text=True, env={**env, "MYPYPATH": str(tmp_path)}, timeout=300)
    assert checked.returncode == 0 and "Success" in checked.stdout, checked.stdout + checked.stderr

    sqlite = sqlite_env(tmp_path)
    key = create_key(sqlite, "python client")
    old_ids = store_for_key(sqlite["DATABASE_URL"], key)
    with gunicorn(sqlite, key) as server:
        run = subprocess.run([sys.executable, "usage.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                             env={**env, "PYTHONPATH": str(tmp_path), "HIREMIX_URL": server.base, "HIREMIX_KEY": key,
                                  "HIREMIX_OLD_IDS": ",".join(old_ids)})
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"python client: ok ({len(old_ids) + 1} recommendations listed)" in run.stdout, run.stdout
