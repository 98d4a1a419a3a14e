"""How long POST /v1/simulations takes over 1,000 stored recommendations.

Stores 1,000 varied recommendations for one tenant in a fresh database
(SQLite in a temporary folder, or the PostgreSQL named by --database-url,
whose tables it wipes), then times, as the median of several runs:

- baseline: reading the same 1,000 rows (id and profile) and nothing else,
- simulate(): the service call (read, replay under draft weights, compare),
- HTTP: the whole request through the Flask test client (auth, JSON, view).

    .venv/bin/python benchmarks/simulation.py [--runs 15] [--database-url URL]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from service import create_app, keys, recommendations, simulations
from service.cli import alembic_config
from service.engine.catalogue import BUSINESS_MODELS, PRIORITIES, PRODUCT_COMPLEXITIES, STAGES
from service.orm import RecommendationRecord

STORED = 1000
DRAFT = {"weight_profile": {"weights": {"priorities": 1.5}, "thresholds": {"lower": 0.35, "upper": 0.55}}}


def varied_profiles():
    sizes = (0, 4, 12, 45, 120, 400, 2000)
    combos = itertools.product(STAGES, sizes, PRODUCT_COMPLEXITIES, BUSINESS_MODELS)
    for n, (stage, size, complexity, model) in enumerate(itertools.islice(combos, STORED)):
        yield {"stage": stage, "team_size": size, "product_complexity": complexity, "business_model": model,
               "priorities": list(PRIORITIES[n % 6: n % 6 + 2]), "customer_access": ("direct", "limited", None)[n % 3],
               "planned_hires": 1 + n % 9}


def median_ms(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"DATABASE_URL": url, "HIREMIX_RATE_LIMIT": "100000/minute"})
        runtime = app.extensions["hiremix"]
        if args.database_url:
            with runtime.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        command.upgrade(alembic_config(url), "head")
        sessions = runtime.sessions
        secret = keys.create_key(sessions, name="bench").secret
        tenant = keys.authenticate(secret, sessions).tenant_id
        profiles = list(varied_profiles())
        for start in range(0, STORED, 100):
            recommendations.create_many(profiles[start:start + 100], tenant, sessions)

        def read_rows():
            with sessions() as session:
                session.execute(
                    select(RecommendationRecord.id, RecommendationRecord.profile)
                    .where(RecommendationRecord.tenant_id == tenant)
                    .order_by(RecommendationRecord.created_at.desc()).limit(STORED)
                ).all()

        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        result = simulations.simulate(DRAFT, tenant, sessions)
        baseline = median_ms(read_rows, args.runs)
        service = median_ms(lambda: simulations.simulate(DRAFT, tenant, sessions), args.runs)
        http = median_ms(lambda: client.post("/v1/simulations", json=DRAFT, headers=headers), args.runs)
        backend = runtime.engine.dialect.name
        runtime.engine.dispose()
    print(f"{STORED} stored recommendations on {backend}; {result['changed']} change under the draft")
    print(f"{'what':38} {'median ms':>10} {'x baseline':>11}")
    for name, value in (("baseline: read 1,000 rows", baseline), ("simulate() service call", service),
                        ("POST /v1/simulations (test client)", http)):
        print(f"{name:38} {value:10.1f} {value / baseline:11.2f}")


if __name__ == "__main__":
    main()
