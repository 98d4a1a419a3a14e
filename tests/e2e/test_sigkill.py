"""A write acknowledged with 201 is never lost, even when a worker is killed mid-burst."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from service.db import make_engine
from service.orm import RecommendationRecord
from tests.e2e.servers import create_key, gunicorn

pytestmark = pytest.mark.e2e

PROFILE = {"stage": "series_a", "team_size": 12, "product_complexity": "high", "business_model": "b2b_saas"}
BURST = 400
CLIENTS = 8


def workers_of(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_every_acknowledged_write_is_stored_after_workers_are_killed(backend_env):
    acknowledged, failed = [], []
    with gunicorn(backend_env, create_key(backend_env, "burst"), workers=4) as server:
        master = server.pid
        remaining = iter(range(BURST))
        lock = threading.Lock()
        killed = []  # the workers SIGKILLed at each of the two moments

        def client():
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                try:
                    status, _, body = server.call("POST", "/v1/recommendations", PROFILE)
                except (OSError, http.client.HTTPException) as error:  # the killed worker's connections drop
                    failed.append(repr(error))
                    continue
                with lock:
                    if status == 201:
                        acknowledged.append(json.loads(body)["id"])
                    else:
                        failed.append(status)
                    # every worker at a quarter of the burst, and again at half: some are mid-request
                    if {BURST // 4: 0, BURST // 2: 1}.get(len(acknowledged)) == len(killed):
                        victims = workers_of(master)
                        for victim in victims:
                            os.kill(victim, signal.SIGKILL)
                        killed.append(victims)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    engine = make_engine(backend_env["DATABASE_URL"])
    with engine.connect() as connection:
        stored = set(connection.execute(select(RecommendationRecord.id)).scalars())
    engine.dispose()
    missing = set(acknowledged) - stored
    print(f"\nSIGKILL ({backend_env['DATABASE_URL'].split(':')[0]}): {BURST} POSTs, {len(acknowledged)} acknowledged, "
          f"{len(failed)} failed ({sorted(set(map(str, failed)))[:3]}), {len(stored)} stored, "
          f"{len(missing)} acknowledged but missing")
    assert len(killed) == 2
    assert failed, "no request was in flight when the workers died: the test proved nothing"
    assert not missing
    assert len(acknowledged) >= BURST * 0.9  # the workers gunicorn started in their place kept serving
    assert all(isinstance(f, str) or f >= 500 for f in failed)  # only transport errors or 5xx from the kill
