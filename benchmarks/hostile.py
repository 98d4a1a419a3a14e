"""Bodies built to cost a worker as much as validation can be made to cost, each up to its endpoint's limit.

`hostile_bodies()` is shared with tests/api/test_hostile_bodies.py, which checks each is refused with a
small answer. Run as a script, it measures each against a real gunicorn (one worker, SQLite) beside a
valid preview in the same run, and prints the worst worker time and answer size:

    .venv/bin/python -m benchmarks.hostile [--repeat 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.http.apidoc import BATCH_BODY_MAX, PROFILE_BODY_MAX, SIMULATION_BODY_MAX  # noqa: E402

VALID = {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas"}
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv"
ANSWER_MAX = 32 * 1024  # the bound on a refusal's size
TIME_TARGET_MS = 50.0


def _largest(make: Callable[[int], object], limit: int) -> bytes:
    """The JSON of make(n) for the largest n that still fits in `limit` bytes."""
    low, high = 1, 2
    while len(json.dumps(make(high))) <= limit:
        low, high = high, high * 2
    while low + 1 < high:
        middle = (low + high) // 2
        low, high = (middle, high) if len(json.dumps(make(middle))) <= limit else (low, middle)
    return json.dumps(make(low)).encode()


def _bad_profile() -> dict:
    """Every field of a profile wrong."""
    return {"stage": "x", "team_size": "y", "product_complexity": 1, "business_model": None,
            "priorities": [1, 2, 3, 4, 5, 6], "customer_access": 3, "planned_hires": "x", "company_name": 1,
            "external_id": 2, "weight_profile_id": 3, "weight_profile_version": "z"}


def hostile_bodies() -> dict[str, tuple[str, str, bytes]]:
    """name -> (path, content type, body): each refused, each at most its endpoint's limit."""
    factors = ["stage", "team_size", "product_complexity", "business_model", "priorities", "customer_access"]
    csv_header = "stage,team_size,product_complexity,business_model,company_name,external_id,priorities\n"
    return {
        "preview: 16 KiB of bad priorities": ("/v1/recommendations/preview", JSON_TYPE, _largest(
            lambda n: {**VALID, "priorities": ["x"] * n}, PROFILE_BODY_MAX)),
        "preview: 16 KiB of unknown fields": ("/v1/recommendations/preview", JSON_TYPE, _largest(
            lambda n: {f"k{i}": 0 for i in range(n)}, PROFILE_BODY_MAX)),
        "create: every field wrong": ("/v1/recommendations", JSON_TYPE, json.dumps(_bad_profile()).encode()),
        "weight profile: 16 KiB of unknown leans": ("/v1/weight-profiles", JSON_TYPE, _largest(
            lambda n: {"name": "x", "leans": {"stage": {f"v{i}": 0 for i in range(n)}}}, PROFILE_BODY_MAX)),
        "weight profile: every lean wrong": ("/v1/weight-profiles", JSON_TYPE, json.dumps(
            {"name": "", "leans": {f: {f"no{i}": "q" for i in range(7)} for f in factors},
             "weights": {f: "heavy" for f in factors}, "thresholds": {"lower": 2, "upper": -1}}).encode()),
        "weight profile: long unknown keys": ("/v1/weight-profiles", JSON_TYPE, json.dumps(
            {"name": "x", "leans": {"stage": {("k" * 1500) + str(i): 0 for i in range(6)}},
             **{("u" * 1500) + str(i): 0 for i in range(4)}}).encode()),
        "simulation: 512 KiB of empty profiles": ("/v1/simulations", JSON_TYPE, _largest(
            lambda n: {"weight_profile": {}, "profiles": [{}] * n}, SIMULATION_BODY_MAX)),
        "simulation: 1,000 profiles, every field wrong": ("/v1/simulations", JSON_TYPE, json.dumps(
            {"weight_profile": {}, "profiles": [_bad_profile()] * 1000}).encode()),
        "simulation: 1,000 profiles of unknown fields": ("/v1/simulations", JSON_TYPE, _largest(
            lambda n: {"weight_profile": {}, "profiles": [{f"k{i}": 0 for i in range(n)}] * 1000},
            SIMULATION_BODY_MAX)),
        "batch: 256 KiB of empty items": ("/v1/recommendations/batch", JSON_TYPE, _largest(
            lambda n: {"items": [{}] * n}, BATCH_BODY_MAX)),
        "batch: 100 items, every field wrong": ("/v1/recommendations/batch", JSON_TYPE, json.dumps(
            {"items": [_bad_profile()] * 100}).encode()),
        "batch: 100 items of unknown fields": ("/v1/recommendations/batch", JSON_TYPE, _largest(
            lambda n: {"items": [{f"k{i}": 0 for i in range(n)}] * 100}, BATCH_BODY_MAX)),
        # Made-up names are echoed in pointers: long ones, and ones JSON escapes to 12 bytes a character.
        "batch: 50 items, each a long emoji name": ("/v1/recommendations/batch", JSON_TYPE, json.dumps(
            {"items": [{**VALID, "\U0001f600" * 70 + str(i): 0} for i in range(50)]}).encode()),
        "batch: 100 items, each a long emoji name": ("/v1/recommendations/batch", JSON_TYPE, json.dumps(
            {"items": [{**VALID, "\U0001f600" * 70 + str(i): 0} for i in range(100)]}).encode()),
        "batch: 50 items, each a 64-character name": ("/v1/recommendations/batch", JSON_TYPE, json.dumps(
            {"items": [{**VALID, "/" * 62 + f"{i:02}": 0} for i in range(50)]}).encode()),
        "simulation: 200 profiles, long emoji names": ("/v1/simulations", JSON_TYPE, json.dumps(
            {"weight_profile": {}, "profiles": [{**VALID, "\U0001f600" * 70 + str(i): 0} for i in range(200)]}).encode()),
        "preview: ten long emoji names": ("/v1/recommendations/preview", JSON_TYPE, json.dumps(
            {**VALID, **{"\U0001f600" * 100 + str(i): 0 for i in range(10)}}).encode()),
        "batch CSV: 256 KiB header": ("/v1/recommendations/batch", CSV_TYPE, (
            "stage,team_size,product_complexity,business_model," + ",".join(f"c{i}" for i in range(40000))
        )[:BATCH_BODY_MAX - 1].encode() + b"\n"),
        "batch CSV: 256 KiB of bad rows": ("/v1/recommendations/batch", CSV_TYPE, (
            csv_header + "x,y,z,w,\x01,\x02,a;b;c;d;e;f;g\n" * 20000)[:BATCH_BODY_MAX].encode()),
        "batch CSV: 100 bad rows": ("/v1/recommendations/batch", CSV_TYPE, (
            csv_header + "x,y,z,w,\x01,\x02,a;b;c;d;e;f;g\n" * 100).encode()),
    }


def _post(connection: http.client.HTTPConnection, key: str, path: str, content_type: str, body: bytes):
    started = time.perf_counter()
    connection.request("POST", path, body=body, headers={"Authorization": f"Bearer {key}",
                                                         "Content-Type": content_type})
    response = connection.getresponse()
    answer = response.read()
    return response.status, len(answer), (time.perf_counter() - started) * 1000


def main() -> None:
    # The end-to-end tests' way of starting a migrated gunicorn with a key: one way to do it, not two.
    from tests.e2e.servers import create_key, gunicorn, sqlite_env  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**sqlite_env(Path(folder)), "HIREMIX_RATE_LIMIT": "1000000/minute"}
        with gunicorn(env, create_key(env, "hostile bodies"), workers=1) as server:
            _measure(server, args.repeat)


def _measure(server, repeat: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", int(server.base.rsplit(":", 1)[1]), timeout=60)
    rows = [("baseline: a valid preview", "/v1/recommendations/preview", JSON_TYPE, json.dumps(VALID).encode())]
    rows += [(name, *spec) for name, spec in hostile_bodies().items()]
    print(f"{'body':48} {'KiB':>6} {'status':>6} {'answer':>8} {'median ms':>10} {'max ms':>8}")
    worst_ms, worst_size = 0.0, 0
    for name, path, content_type, body in rows:
        times, status, size = [], 0, 0
        for _ in range(repeat):
            status, size, elapsed = _post(connection, server.key, path, content_type, body)
            times.append(elapsed)
        if not name.startswith("baseline"):
            worst_ms, worst_size = max(worst_ms, statistics.median(times)), max(worst_size, size)
        print(f"{name:48} {len(body) / 1024:6.0f} {status:6} {size:8} {statistics.median(times):10.1f} "
              f"{max(times):8.1f}")
    print(f"\nworst median time {worst_ms:.1f} ms (target < {TIME_TARGET_MS:g} ms, measured from the client over "
          f"loopback); largest answer {worst_size} bytes (bound {ANSWER_MAX})")


if __name__ == "__main__":
    main()
