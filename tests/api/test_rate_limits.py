"""Rate limits per API key (in one process; across hosts and workers on Redis: tests/e2e/test_shared_state.py)."""

import pytest
from sqlalchemy import func, select

from service import create_app
from service.config import ConfigurationError
from service.orm import RecommendationRecord
from tests.api.conftest import VALID, problem
from tests.conftest import keyed_client


@pytest.fixture
def limited(database_url, app):
    """An app with 3 requests a minute per key, on the fixture's database."""
    limited = create_app({"DATABASE_URL": database_url, "HIREMIX_RATE_LIMIT": "3/minute"})
    yield limited
    limited.extensions["hiremix"].engine.dispose()


def test_each_answer_says_how_much_is_left(limited, api_key):
    client = keyed_client(limited, api_key)
    remaining = []
    for _ in range(3):
        response = client.get("/v1/recommendations")
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 61
        assert "Retry-After" not in response.headers
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]


def test_over_the_limit_is_429_with_retry_after_and_the_count_spans_endpoints(limited, api_key):
    client = keyed_client(limited, api_key)
    client.get("/v1/recommendations")
    client.post("/v1/recommendations/preview", json=VALID)
    assert client.post("/v1/recommendations", json=VALID).status_code == 201
    response = client.post("/v1/recommendations", json=VALID)
    body = problem(response, 429, "rate_limited")
    assert "3 per 1 minute" in body["detail"]
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert response.headers["Retry-After"] == response.headers["RateLimit-Reset"]
    assert response.headers["RateLimit-Remaining"] == "0"
    assert client.get("/v1/recommendations").status_code == 429


def test_a_refused_request_stores_nothing(limited, api_key):
    client = keyed_client(limited, api_key)
    for _ in range(3):
        client.post("/v1/recommendations", json=VALID)
    assert client.post("/v1/recommendations", json=VALID).status_code == 429
    with limited.extensions["hiremix"].sessions() as session:
        assert session.execute(select(func.count()).select_from(RecommendationRecord)).scalar_one() == 3


def test_each_key_has_its_own_budget(limited, api_key, new_key):
    client = limited.test_client()
    for _ in range(4):
        client.get("/v1/recommendations", headers={"Authorization": f"Bearer {api_key}"})
    second = new_key("second key")
    assert client.get("/v1/recommendations", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_the_contract_is_not_counted(limited, api_key):
    client = limited.test_client()
    for _ in range(5):
        assert client.get("/openapi.json").status_code == 200
    assert "RateLimit-Limit" not in client.get("/openapi.json").headers
    answer = client.get("/v1/recommendations", headers={"Authorization": f"Bearer {api_key}"})
    assert answer.headers["RateLimit-Remaining"] == "2"


@pytest.mark.parametrize("value", ["lots", "600", "0/minute", "-1/second"])
def test_an_unusable_rate_limit_setting_is_refused_at_start(value):
    with pytest.raises(ConfigurationError, match="HIREMIX_RATE_LIMIT"):
        create_app({"DATABASE_URL": "sqlite://", "HIREMIX_RATE_LIMIT": value})


def test_several_limits_can_be_combined_and_the_tightest_one_refuses(database_url, api_key):
    app = create_app({"DATABASE_URL": database_url, "HIREMIX_RATE_LIMIT": "100/hour;2/minute"})
    client = keyed_client(app, api_key)
    assert [client.get("/v1/recommendations").status_code for _ in range(2)] == [200, 200]
    assert "2 per 1 minute" in problem(client.get("/v1/recommendations"), 429, "rate_limited")["detail"]
    app.extensions["hiremix"].engine.dispose()


def test_an_unreachable_redis_degrades_to_counting_per_process_not_to_errors(database_url, api_key, caplog):
    app = create_app({"DATABASE_URL": database_url, "HIREMIX_RATE_LIMIT": "2/minute",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})  # nothing listens on port 1
    client = keyed_client(app, api_key)
    assert [client.get("/v1/recommendations").status_code for _ in range(3)] == [200, 200, 429]
    assert "in-memory" in caplog.text
    app.extensions["hiremix"].engine.dispose()


@pytest.mark.parametrize("environment", ["development", "production"])
def test_an_unreachable_redis_is_said_in_hiremix_log_in_every_environment(database_url, new_key, environment):
    import io
    import logging

    from service.http import access_log

    app = create_app({"DATABASE_URL": database_url, "HIREMIX_ENV": environment,
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    handler = next(h for h in logging.getLogger("hiremix").handlers if isinstance(h, access_log._Handler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        keyed_client(app, new_key("k", live=True)).get("/v1/recommendations")
        keyed_client(app, "hk_live_" + "x" * 40).get("/v1/recommendations")  # a refused key is counted there too
    finally:
        handler.setStream(previous)
        create_app({"DATABASE_URL": database_url})  # the plain formatter again for the other tests
        app.extensions["hiremix"].engine.dispose()
    printed = stream.getvalue()
    assert "rate-limit storage unreachable (ConnectionError)" in printed
    assert "counting requests per key in this process" in printed
    assert "counting refused keys in this process" in printed


def test_counting_in_memory_starts_no_thread_and_still_forgets_ended_windows(monkeypatch):
    import threading

    from limits import parse

    from service.http import limits

    storage = limits._MemoryStorage()
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    counter = limits.FixedWindowRateLimiter(storage)
    second = parse("5/second")
    for n in range(5):
        limits.time.sleep(0.03)  # as between requests: limits' own timer thread (0.01 s) has ended
        counter.hit(second, "hiremix", f"key:{n}", "global")
    assert started == []  # limits' own MemoryStorage starts a new timer thread to sweep each time
    assert len(storage.storage) == 5
    clock = [limits.time.time() + 2]  # every 1-second window has ended
    monkeypatch.setattr(limits.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: clock[0])
    counter.hit(second, "hiremix", "key:new", "global")
    assert list(storage.storage) == ["LIMITER/hiremix/key:new/global/5/1/second"]


def test_the_sweep_of_ended_windows_bears_a_counter_read_away_at_the_same_moment(monkeypatch):
    from limits import parse

    from service.http import limits

    storage = limits._MemoryStorage()
    storage.timer.join()  # the one timer limits starts when the storage is made
    counter = limits.FixedWindowRateLimiter(storage)
    counter.hit(parse("5/second"), "hiremix", "key:a", "global")

    class Vanishing(dict):
        """A request thread's own read (MemoryStorage.get) drops the counter while the sweep walks them."""

        def items(self):
            listed = list(super().items())
            self.clear()
            return listed

        def keys(self):  # as limits' own sweep lists them
            return [key for key, _ in self.items()]

    storage.expirations = Vanishing({key: 0.0 for key in storage.expirations})
    storage._next_sweep = 0.0
    counter.hit(parse("5/second"), "hiremix", "key:b", "global")  # sweeps: no KeyError, the new count stands
    assert storage.storage["LIMITER/hiremix/key:b/global/5/1/second"] == 1


def test_the_wait_said_is_never_short_of_the_window_even_when_redis_rounds_its_end_down():
    from service.http.limits import seconds_left

    # Redis reports a window's end from its TTL, rounded to the nearest second: a window that truly ends at
    # 100.0 can be reported as ending at 99.6 when asked at 99.6. Waiting the seconds said must be enough.
    assert seconds_left(reset_at=99.6, now=99.6) == 1
    assert seconds_left(reset_at=100.0, now=40.0) == 61  # as Flask-Limiter said: the end rounded up, plus one
    assert seconds_left(reset_at=100.0, now=160.0) == 0


def test_a_limits_release_without_the_sweep_hook_stops_the_import(monkeypatch):
    """Not an assert (python -O drops those): the service must not start on counters it cannot sweep."""
    import importlib.util

    from limits.storage import MemoryStorage

    from service.http import limits

    monkeypatch.delattr(MemoryStorage, "_MemoryStorage__schedule_expiry")
    spec = importlib.util.spec_from_file_location("limits_copy", limits.__file__)
    with pytest.raises(ImportError, match="renamed MemoryStorage's sweep hook"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
