"""In-process throughput of the engine and of rendering a full result document.

Prints evaluations per second for the pure engine, for the engine plus the
marshmallow document (what a preview request does besides HTTP), and a
baseline measured in the same run (json.dumps of the profile) so figures from
shared, noisy machines can be compared as ratios. The last rows split the
document into its parts: the counterfactuals, the engine's fields, and the dump
of fields already worked out, by marshmallow and by the function derived from
the same schema (schemas/serializer.py) that serves them. The two "stored
weights" rows decide with a tuned weight profile: made anew for every profile
(as each request did before service/weight_profiles.py kept ready profiles by
id, version and hash), and kept (as served now, with the engine's tables for
it built once).

    .venv/bin/python benchmarks/engine.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

from schemas.recommendation import RecommendationPreviewSchema
from schemas.serializer import compile_dump
from service import recommendations
from service.engine import DEFAULT_WEIGHT_PROFILE, CompanyProfile, evaluate
from service.engine.catalogue import BUSINESS_MODELS, PRODUCT_COMPLEXITIES, STAGES
from service.engine.counterfactuals import what_would_change, what_would_change_v2
from service.engine.weights import MODEL_V1, derive


def profiles():
    sizes = (0, 6, 40, 300, 5000)
    for stage, size, complexity, model in itertools.product(STAGES, sizes, PRODUCT_COMPLEXITIES, BUSINESS_MODELS):
        yield {"stage": stage, "team_size": size, "product_complexity": complexity, "business_model": model,
               "priorities": ["ship_fast", "security"], "customer_access": "direct", "planned_hires": 4}


def rate(work, items, seconds: float) -> float:
    done, start = 0, time.perf_counter()
    for item in itertools.cycle(items):
        work(item)
        done += 1
        if done % 500 == 0 and time.perf_counter() - start >= seconds:
            break
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    seconds = parser.parse_args().seconds
    payloads = list(profiles())
    companies = [CompanyProfile(**{k: (tuple(v) if k == "priorities" else v) for k, v in p.items()}) for p in payloads]
    documents = [recommendations.document_fields(p, DEFAULT_WEIGHT_PROFILE) for p in payloads]
    baseline = rate(json.dumps, payloads, seconds)

    def tuned():
        return derive(DEFAULT_WEIGHT_PROFILE, id="wp_bench", version=1, weights={"priorities": 1.2},
                      leans={"priorities": {"security": -1.0}}, lower=0.35)

    kept = tuned()
    rows = [
        ("baseline: json.dumps(profile)", baseline),
        ("engine: evaluate()", rate(evaluate, companies, seconds)),
        ("engine + document: describe()", rate(recommendations.describe, payloads, seconds)),
        ("engine: what would change (model 2)", rate(lambda c: what_would_change_v2(c, DEFAULT_WEIGHT_PROFILE),
                                                     companies, seconds)),
        ("model 1: evaluate()", rate(lambda c: evaluate(c, MODEL_V1), companies, seconds)),
        ("model 1: describe()", rate(lambda p: recommendations.describe(p, MODEL_V1), payloads, seconds)),
        ("model 1: what_would_change()", rate(lambda c: what_would_change(c, MODEL_V1), companies, seconds)),
        ("engine only: document_fields()", rate(lambda p: recommendations.document_fields(p, DEFAULT_WEIGHT_PROFILE),
                                                payloads, seconds)),
        ("document: marshmallow Schema.dump", rate(RecommendationPreviewSchema().dump, documents, seconds)),
        ("document: derived dump (as served)", rate(compile_dump(RecommendationPreviewSchema()), documents, seconds)),
        ("stored weights: made for each profile", rate(lambda p: recommendations.document_fields(p, tuned()),
                                                       payloads, seconds)),
        ("stored weights: kept (as served)", rate(lambda p: recommendations.document_fields(p, kept), payloads,
                                                  seconds)),
    ]
    print(f"{'what':38} {'per second':>12} {'x baseline':>11}")
    for name, value in rows:
        print(f"{name:38} {value:12,.0f} {value / baseline:11.3f}")


if __name__ == "__main__":
    main()
