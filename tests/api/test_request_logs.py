"""Every request is logged once with its X-Request-Id; production logs are JSON."""

import io
import json
import logging

import pytest

from service import create_app
from service.config import ConfigurationError
from service.http import access_log


def test_each_request_is_logged_with_its_request_id_and_key_id(client, caplog):
    caplog.set_level(logging.INFO, logger="hiremix")
    client.get("/v1/recommendations", headers={"X-Request-Id": "trace-me-42"})
    [line] = [r for r in caplog.records if r.getMessage().startswith("GET /v1/recommendations")]
    assert line.request_id == "trace-me-42"
    assert " 200 " in line.getMessage() and "key=key_" in line.getMessage()


def test_production_logs_one_json_object_per_line():
    record = logging.LogRecord("hiremix", logging.INFO, __file__, 1, "GET %s %s", ("/v1/x", 200), None)
    record.request_id = "r-1"
    line = access_log.formatter(production=True).format(record)
    parsed = json.loads(line)
    assert (parsed["level"], parsed["request_id"], parsed["message"]) == ("INFO", "r-1", "GET /v1/x 200")
    assert "time" in parsed


def test_a_production_app_installs_the_json_formatter():
    create_app({"DATABASE_URL": "sqlite://", "HIREMIX_ENV": "production"})
    handler = next(h for h in logging.getLogger("hiremix").handlers if isinstance(h, access_log._Handler))
    assert handler.formatter.__class__.__name__ == "JsonFormatter"
    create_app({"DATABASE_URL": "sqlite://"})
    assert handler.formatter.__class__.__name__ == "Formatter"


def test_the_log_follows_sys_stderr_when_a_runner_swaps_it_and_closes_it(client, monkeypatch):
    """A CLI or test runner replaces sys.stderr and closes its capture afterwards; later lines still arrive."""
    import sys

    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    client.get("/v1/model")
    assert "GET /v1/model 200" in first.getvalue()
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    client.get("/v1/model")
    assert "GET /v1/model 200" in second.getvalue()


def test_production_refuses_debug_mode(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="debug"):
        create_app({"DATABASE_URL": "sqlite://", "HIREMIX_ENV": "production"})


@pytest.mark.parametrize("production", [False, True])
def test_a_path_with_a_newline_cannot_forge_a_log_line(client, production):
    handler = next(h for h in logging.getLogger("hiremix").handlers if isinstance(h, access_log._Handler))
    stream = io.StringIO()
    old_stream, old_formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(access_log.formatter(production))
    try:
        client.get("/x%0a2026-11-28 04:00:00,000 INFO request_id=forged GET /v1/admin 200%0d%e2%80%a8%c2%85end")
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "\\n2026-11-28" in lines[0] and "\u2028" not in lines[0] and "\x85" not in lines[0]
    if production:
        assert json.loads(lines[0])["path"].startswith("/x\\n2026")
