#!/usr/bin/env bash
# A tuned weight profile: create "Security-first" (priorities weigh more, security
# leans fully toward software engineers), add version 2 (reliability too, and a
# higher lower threshold), then preview one company under the built-in weights, under
# version 1 and under the latest version, and see the verdict move.
#
#   export HIREMIX_KEY=hk_test_...              # printed by `make run`
#   examples/03-tuned-weight-profile.sh         # HIREMIX_URL defaults to http://127.0.0.1:8000
#
# Previews store no recommendation; each run does create a new weight profile (they
# cannot be deleted). Needs curl, and python3 to read fields of the JSON answers (no jq).
set -euo pipefail

. "$(dirname "$0")/common.bash"

echo "POST /v1/weight-profiles"
call 201 POST /v1/weight-profiles -H 'Content-Type: application/json' \
  -d '{"name": "Security-first", "weights": {"priorities": 1.2},
       "leans": {"priorities": {"security": -1.0}}}'
wp=$(json 'd["id"]')
echo "  201, Location: $(header Location)"
echo "  $wp $(json '"\"%(name)s\" version %(version)d, %(hash)s" % d')"

echo
echo "POST /v1/weight-profiles/$wp/versions"
# A new version starts from the latest one and changes only what you send.
call 201 POST "/v1/weight-profiles/$wp/versions" -H 'Content-Type: application/json' \
  -d '{"leans": {"priorities": {"reliability": -1.0}}, "thresholds": {"lower": 0.45}}'
echo "  201, Location: $(header Location)"
echo "  $(json '"version %d, %s, thresholds lower %s, upper %s" % (d["version"], d["hash"], d["thresholds"]["lower"], d["thresholds"]["upper"])')"

# A Series B B2B SaaS company of 30 engineers that puts security and reliability first.
company='"stage": "series_b", "team_size": 30, "product_complexity": "medium",
         "business_model": "b2b_saas", "priorities": ["security", "reliability"],
         "customer_access": "direct", "planned_hires": 5, "company_name": "Ledgerline"'

echo
echo "POST /v1/recommendations/preview, the same company under three sets of weights:"
# preview LABEL EXTRA_FIELDS: one preview, one line.
preview() {
  call 200 POST /v1/recommendations/preview -H 'Content-Type: application/json' -d "{$company$2}"
  printf '  %-30s %s\n' "$1" "$(json '"%-19s product engineer share %.2f, hires %d product / %d software" % (
    d["recommendation"], d["scores"]["product_engineers"], d["headcount"]["product_engineers"],
    d["headcount"]["software_engineers"])')"
}
preview "built-in (wp_default v1):" ""
preview "Security-first version 1:" ", \"weight_profile_id\": \"$wp\", \"weight_profile_version\": 1"
preview "Security-first (latest, v2):" ", \"weight_profile_id\": \"$wp\""
echo "  model: $(json '"%(weight_profile_id)s version %(version)d, %(hash)s" % d["model"]')"
echo "  summary: $(json 'd["summary"]')"
