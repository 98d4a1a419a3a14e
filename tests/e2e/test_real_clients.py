"""Real clients against a real server, built only from the committed openapi.yaml.

- Postman: contract/postman.js converts openapi.yaml with openapi-to-postmanv2 and
  adds assertions (documented 2xx status, Content-Type, response schema); newman runs
  every documented example against gunicorn, on SQLite and on PostgreSQL.
- Redocly CLI lints openapi.yaml with the `recommended` ruleset: no errors allowed.
- openapi-python-client generates a Python client into a temporary folder; it
  creates, fetches and lists a recommendation with typed models.

The node tools come from `npm ci --prefix contract` (CI runs it); without them these
tests are skipped outside CI and fail in CI.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.servers import create_key, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contract"
SPEC = ROOT / "openapi.yaml"
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

    key = create_key(backend_env, "newman")
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


def test_redocly_recommended_ruleset_finds_no_errors():
    redocly = node_tool("redocly")
    lint = subprocess.run([str(redocly), "lint", "--config", str(CONTRACT / "redocly.yaml"), "--format", "stylish",
                           str(SPEC)], capture_output=True, text=True, cwd=ROOT, env=node_env(), timeout=120)
    output = ANSI.sub("", lint.stdout + lint.stderr)
    if lint.returncode != 0:
        pytest.fail(f"redocly lint (recommended ruleset) found errors in openapi.yaml:\n{output[-8000:]}", pytrace=False)


def generator_warnings(output: str) -> set[tuple[str, str]]:
    """(operation, first line of the message) of each `WARNING parsing ...` openapi-python-client printed."""
    return {(operation, message.strip()) for operation, message in
            re.findall(r"WARNING parsing (\S+ \S+) within \S+\.\n\n(.+)", output)}


def test_generated_python_client_creates_fetches_and_lists(tmp_path):
    package = "hiremix_client"
    output = tmp_path / package
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(SPEC), "--output-path", str(output),
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

    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module(package)
        api = importlib.import_module(f"{package}.api.recommendations")
        models = importlib.import_module(f"{package}.models")
        create = importlib.import_module(f"{api.__name__}.create_recommendation")
        get = importlib.import_module(f"{api.__name__}.get_recommendation")
        listing = importlib.import_module(f"{api.__name__}.list_recommendations")

        env = sqlite_env(tmp_path)
        key = create_key(env, "python client")
        with gunicorn(env, key) as server:
            with client_module.AuthenticatedClient(base_url=server.base, token=key,
                                                   raise_on_unexpected_status=True) as client:
                profile = models.CompanyProfile(
                    stage=models.CompanyProfileStage.SEED, team_size=6,
                    product_complexity=models.CompanyProfileProductComplexity.LOW,
                    business_model=models.CompanyProfileBusinessModel.B2B_SAAS,
                    planned_hires=4, company_name="Acme Analytics", external_id="REQ-PYCLIENT")
                created = create.sync_detailed(client=client, body=profile)
                assert created.status_code == 201, created.content
                recommendation = created.parsed
                assert isinstance(recommendation, models.Recommendation)
                assert created.headers["Location"] == f"/v1/recommendations/{recommendation.id}"
                assert recommendation.recommendation == models.RecommendationRecommendation.PRODUCT_ENGINEERS
                assert recommendation.profile.external_id == "REQ-PYCLIENT"
                assert recommendation.headcount.product_engineers + recommendation.headcount.software_engineers == 4

                fetched = get.sync(client=client, id=recommendation.id)
                assert isinstance(fetched, models.Recommendation)
                assert fetched.id == recommendation.id
                assert fetched.recommendation == recommendation.recommendation
                assert fetched.created_at == recommendation.created_at and fetched.created_at.tzinfo is not None
                assert fetched.to_dict() == recommendation.to_dict()

                page = listing.sync(client=client, limit=10)
                assert isinstance(page, models.RecommendationPage)
                assert [item.id for item in page.data] == [recommendation.id]
                assert page.data[0].recommendation == recommendation.recommendation
                assert page.has_more is False
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]
