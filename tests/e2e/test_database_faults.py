"""The database goes away, hangs or is slow: fast 503s, never a 500 or a hang, and recovery by itself.

A TCP proxy the test controls sits between the app and a real PostgreSQL.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from service import create_app, keys
from service.orm import RecommendationRecord
from tests.conftest import keyed_client
from tests.e2e.servers import scratch_postgres
from tests.e2e.tcp_proxy import Proxy

pytestmark = [pytest.mark.e2e, pytest.mark.postgresql]

PROFILE = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}
TIMEOUT_S = 2.0


@pytest.fixture
def proxied():
    with scratch_postgres() as env:
        real = make_url(env["DATABASE_URL"])
        proxy = Proxy((real.host or "127.0.0.1", real.port or 5432))
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = create_app({"DATABASE_URL": url, "HIREMIX_DB_TIMEOUT": str(TIMEOUT_S)})
        secret = keys.create_key(app.extensions["hiremix"].sessions, name="faults").secret
        client = keyed_client(app, secret)
        yield proxy, client, env["DATABASE_URL"]
        app.extensions["hiremix"].engine.dispose()
        proxy.close()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"  # ours, not the rate limiter's window


def test_cut_blackholed_and_restored(proxied):
    proxy, client, _real_url = proxied
    assert client.post("/v1/recommendations", json=PROFILE).status_code == 201

    proxy.cut()
    failed, cut_s = timed(lambda: client.post("/v1/recommendations", json=PROFILE))
    assert_unavailable(failed)
    ready, ready_s = timed(lambda: client.get("/readyz"))
    assert_unavailable(ready)
    assert client.get("/healthz").status_code == 200  # alive, just not ready

    proxy.blackhole()
    hung, blackhole_s = timed(lambda: client.post("/v1/recommendations", json=PROFILE))
    assert_unavailable(hung)

    proxy.restore()
    started, answers = time.monotonic(), []
    while time.monotonic() - started < 10:
        answers.append(client.post("/v1/recommendations", json=PROFILE).status_code)
        if answers[-1] == 201:
            break
    recover_s = time.monotonic() - started
    print(f"\ndatabase faults: cut -> 503 in {cut_s * 1000:.0f} ms, /readyz 503 in {ready_s * 1000:.0f} ms, "
          f"blackhole -> 503 in {blackhole_s * 1000:.0f} ms, restored -> 201 in {recover_s * 1000:.0f} ms "
          f"(answers while recovering: {answers})")
    assert answers[-1] == 201 and set(answers) <= {201, 503}
    assert cut_s < TIMEOUT_S and ready_s < TIMEOUT_S
    assert blackhole_s < 2 * TIMEOUT_S + 1  # libpq's connect_timeout, counted per address tried
    assert client.get("/readyz").status_code == 200


def test_a_slow_database_gives_503_within_the_timeout_and_stores_nothing(proxied):
    _proxy, client, real_url = proxied
    locker = create_engine(real_url.replace("postgresql://", "postgresql+psycopg://", 1)
                           if real_url.startswith("postgresql://") else real_url)
    with locker.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("LOCK TABLE recommendations IN ACCESS EXCLUSIVE MODE"))
        slow, slow_s = timed(lambda: client.post("/v1/recommendations", json=PROFILE))
        export = client.get("/v1/recommendations", headers={"Accept": "text/csv"})
        transaction.rollback()
    assert_unavailable(export)  # a proper 503 before any of the file is sent
    print(f"\nslow database: a locked table -> 503 in {slow_s * 1000:.0f} ms")
    assert_unavailable(slow)
    assert slow_s < TIMEOUT_S + 1
    assert client.post("/v1/recommendations", json=PROFILE).status_code == 201
    with locker.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RecommendationRecord)).scalar_one() == 1
    locker.dispose()


def test_a_read_only_database_is_not_ready_and_writes_get_503(proxied):
    _proxy, client, real_url = proxied
    name = make_url(real_url).database
    admin = create_engine(real_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    try:
        client.application.extensions["hiremix"].engine.dispose()  # new sessions see the setting
        assert_unavailable(client.get("/readyz"))
        assert_unavailable(client.post("/v1/recommendations", json=PROFILE))
        assert client.get("/v1/recommendations").status_code == 200  # reads still work
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
        admin.dispose()
    client.application.extensions["hiremix"].engine.dispose()
    assert client.post("/v1/recommendations", json=PROFILE).status_code == 201
