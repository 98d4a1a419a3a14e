"""What must hold across processes: rate limits on Redis, and one row per Idempotency-Key.

These start real gunicorn servers with several workers, so each request may
land in any process. CI runs them against the machine's Redis and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from contextlib import ExitStack

import pytest
from sqlalchemy import func, select

from service.db import make_engine
from service.orm import RecommendationRecord
from tests.e2e.servers import create_key, gunicorn, sqlite_env

pytestmark = pytest.mark.e2e

PROFILE = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI needs Redis at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.close()


def _hosts(env: dict, count: int, workers: int):
    """`count` gunicorn servers (as on several hosts) with `workers` processes each, one key for all."""
    key = create_key(env, "e2e")
    stack = ExitStack()
    servers = [stack.enter_context(gunicorn(env, key, workers=workers)) for _ in range(count)]
    return stack, servers


@pytest.mark.parametrize(("storage", "expected_ok"), [("redis", 6), ("memory://", 12)])
def test_the_limit_holds_across_hosts_and_workers_only_on_shared_storage(tmp_path, redis_client, storage,
                                                                         expected_ok):
    prefix = f"hiremix-test-{uuid.uuid4().hex}"
    env = {**sqlite_env(tmp_path), "HIREMIX_RATE_LIMIT": "6/minute", "RATELIMIT_KEY_PREFIX": prefix,
           "RATELIMIT_STORAGE_URI": REDIS_URL if storage == "redis" else storage}
    stack, servers = _hosts(env, count=2, workers=2)
    with stack:
        answers = [servers[n % 2].call("GET", "/v1/recommendations") for n in range(12)]
    statuses = [status for status, _, _ in answers]
    # memory:// is the control: each process counts alone, so nothing is refused.
    assert statuses.count(200) == expected_ok and statuses.count(429) == 12 - expected_ok, statuses
    if storage == "redis":
        assert statuses[:6] == [200] * 6
        refused = answers[6]
        assert int(refused[1]["Retry-After"]) > 0 and refused[1]["RateLimit-Remaining"] == "0"
        assert json.loads(refused[2])["code"] == "rate_limited"
        for name in redis_client.scan_iter(f"{prefix}*"):
            redis_client.delete(name)


def test_ten_concurrent_posts_with_one_key_store_one_recommendation(backend_env):
    stack, [server] = _hosts(backend_env, count=1, workers=4)
    barrier = threading.Barrier(10)
    answers = []

    def post():
        barrier.wait()
        answers.append(server.call("POST", "/v1/recommendations", PROFILE, headers={"Idempotency-Key": "one-req"}))

    with stack:
        threads = [threading.Thread(target=post) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    engine = make_engine(backend_env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(RecommendationRecord)).scalar_one()
    engine.dispose()
    statuses = [status for status, _, _ in answers]
    replayed = [headers.get("Idempotent-Replayed") for _, headers, _ in answers].count("true")
    print(f"\nidempotency ({backend_env['DATABASE_URL'].split(':')[0]}): 10 requests sent, statuses {statuses}, "
          f"{replayed} replayed, {rows} row(s) stored")
    assert statuses == [201] * 10
    assert len({body for _, _, body in answers}) == 1 and replayed == 9
    assert rows == 1


def test_a_stalled_redis_costs_a_second_not_a_hang(tmp_path, redis_client, api_key_app):
    """Redis that accepts connections but never answers: requests still pass, counted per process."""
    import time

    from tests.e2e.tcp_proxy import Proxy

    host, port = redis_client.connection_pool.connection_kwargs["host"], redis_client.connection_pool.connection_kwargs["port"]
    proxy = Proxy((host, port))
    proxy.blackhole()
    app, headers = api_key_app(f"redis://127.0.0.1:{proxy.port}/0")
    client = app.test_client()
    started = time.monotonic()
    statuses = [client.get("/v1/recommendations", headers=headers).status_code for _ in range(3)]
    elapsed = time.monotonic() - started
    proxy.close()
    print(f"\nstalled Redis: 3 requests answered {statuses} in {elapsed:.2f} s")
    assert statuses == [200, 200, 200] and elapsed < 5


@pytest.fixture
def api_key_app(tmp_path):
    from service import create_app, keys

    made = []

    def build(storage_uri):
        env = sqlite_env(tmp_path)
        app = create_app({"DATABASE_URL": env["DATABASE_URL"], "RATELIMIT_STORAGE_URI": storage_uri})
        made.append(app)
        secret = keys.create_key(app.extensions["hiremix"].sessions, name="stall").secret
        return app, {"Authorization": f"Bearer {secret}"}

    yield build
    for app in made:
        app.extensions["hiremix"].engine.dispose()
