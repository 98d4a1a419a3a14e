#!/usr/bin/env bash
# A simulation: store four recommendations with the built-in weights, then replay your
# stored recommendations under an inline draft (security and reliability count for
# more) with POST /v1/simulations, and list which answers would change. The
# simulation stores nothing and needs no saved weight profile.
#
#   export HIREMIX_KEY=hk_test_...          # printed by `make run`
#   examples/04-simulation.sh               # HIREMIX_URL defaults to http://127.0.0.1:8000
#
# The simulation replays your newest 1,000 stored recommendations, so it also shows
# those stored before this script ran. Needs curl, and python3 to read the JSON
# answers (no jq).
set -euo pipefail

. "$(dirname "$0")/common.bash"

echo "POST /v1/recommendations/batch: store four recommendations"
call 200 POST /v1/recommendations/batch -H 'Content-Type: application/json' -d '{"items": [
  {"stage": "series_b", "team_size": 30, "product_complexity": "medium", "business_model": "b2b_saas",
   "priorities": ["security", "reliability"], "customer_access": "direct", "external_id": "SIM-1"},
  {"stage": "seed", "team_size": 20, "product_complexity": "medium", "business_model": "marketplace",
   "priorities": ["security"], "customer_access": "limited", "external_id": "SIM-2"},
  {"stage": "public", "team_size": 800, "product_complexity": "very_high", "business_model": "enterprise_platform",
   "priorities": ["scale", "security"], "external_id": "SIM-3"},
  {"stage": "seed", "team_size": 6, "product_complexity": "low", "business_model": "b2b_saas",
   "priorities": ["ship_fast", "growth"], "customer_access": "direct", "external_id": "SIM-4"}]}'
cp "$work/body" "$work/stored.json"
python3 - "$work/stored.json" <<'PY'
import json, sys

batch = json.load(open(sys.argv[1]))
for item in batch["items"]:
    if item["status"] != 201:  # the batch is 200 even when an item is refused
        sys.exit("  item %d was refused: %s" % (item["index"], json.dumps(item["problem"])))
    rec = item["recommendation"]
    print("  %s  %s  %s" % (rec["id"], rec["profile"]["external_id"], rec["recommendation"]))
print("  stored %d" % batch["stored"])
PY

echo
echo "POST /v1/simulations with an inline draft: priorities weigh 1.2, security and reliability lean -1.0"
call 200 POST /v1/simulations -H 'Content-Type: application/json' \
  -d '{"weight_profile": {"weights": {"priorities": 1.2},
                          "leans": {"priorities": {"security": -1.0, "reliability": -1.0}}}}'
python3 - "$work/stored.json" "$work/body" <<'PY'
import json, sys

stored = {item["recommendation"]["id"]: item["recommendation"]["profile"]["external_id"]
          for item in json.load(open(sys.argv[1]))["items"]}
result = json.load(open(sys.argv[2]))
print("  draft %s: evaluated %d, changed %d" % (result["weight_profile"]["hash"], result["evaluated"], result["changed"]))
for item in result["items"]:  # only the ones that would change
    before, after = item["before"], item["after"]
    print("  %s  %-6s  %s -> %s  (product engineer share %.2f -> %.2f)" % (
        item["id"], stored.get(item["id"], ""), before["recommendation"], after["recommendation"],
        before["scores"]["product_engineers"], after["scores"]["product_engineers"]))
ours = sum(1 for item in result["items"] if item["id"] in stored)
print("Of the %d stored just now, %d would change under the draft; nothing was stored." % (len(stored), ours))
PY
