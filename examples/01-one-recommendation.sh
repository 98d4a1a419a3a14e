#!/usr/bin/env bash
# One recommendation: evaluate and store a seed-stage B2B SaaS company, print the
# verdict, fetch it back by the Location header, and retry the POST with the same
# Idempotency-Key to show that a retry stores nothing new.
#
#   export HIREMIX_KEY=hk_test_...          # printed by `make run`
#   examples/01-one-recommendation.sh       # HIREMIX_URL defaults to http://127.0.0.1:8000
#
# Needs curl, and python3 to read fields of the JSON answers (no jq).
set -euo pipefail

. "$(dirname "$0")/common.bash"

idempotency_key=$(uuidgen 2>/dev/null || python3 -c 'import uuid; print(uuid.uuid4())')
profile='{"stage": "seed", "team_size": 6, "product_complexity": "low",
          "business_model": "b2b_saas", "priorities": ["ship_fast", "security"],
          "customer_access": "direct", "planned_hires": 4,
          "company_name": "Acme Analytics", "external_id": "REQ-1042"}'

echo "POST /v1/recommendations (Idempotency-Key: $idempotency_key)"
call 201 POST /v1/recommendations -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $idempotency_key" -d "$profile"
location=$(header Location)
cp "$work/body" "$work/created.json"
echo "  201 Created, Location: $location"
echo "  verdict:    $(json 'd["recommendation"]')"
echo "  share:      $(json '"product engineers %(product_engineers).2f, software engineers %(software_engineers).2f" % d["scores"]')"
echo "  confidence: $(json 'd["confidence"]')"
echo "  headcount:  $(json '"%(product_engineers)d product engineers, %(software_engineers)d software engineers" % d["headcount"]')"
echo "  model:      $(json '"%(weight_profile_id)s version %(version)d, %(hash)s" % d["model"]')"
echo "  summary:    $(json 'd["summary"]')"

echo
echo "GET $location"
call 200 GET "$location"
if cmp -s "$work/body" "$work/created.json"; then
  echo "  200 OK, identical to the 201 body, byte for byte"
else
  echo "  the fetched body differs from the 201 body" >&2
  exit 1
fi

echo
echo "POST /v1/recommendations again, same Idempotency-Key (a retry after a network error, say)"
call 201 POST /v1/recommendations -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $idempotency_key" -d "$profile"
echo "  201, Idempotent-Replayed: $(header Idempotent-Replayed), Location: $(header Location)"
[ "$(header Location)" = "$location" ] || { echo "  a second recommendation was stored" >&2; exit 1; }
echo "  the same recommendation: nothing new was stored"

echo
echo "note_text, ready for an ATS note field:"
json 'd["note_text"]' | sed 's/^/  /'
