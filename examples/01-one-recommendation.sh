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

HIREMIX_URL=${HIREMIX_URL:-http://127.0.0.1:8000}
HIREMIX_URL=${HIREMIX_URL%/}
if [ -z "${HIREMIX_KEY:-}" ]; then
  echo "$(basename "$0"): HIREMIX_KEY is not set. Start the server with 'make run' and paste the" >&2
  echo "'export HIREMIX_KEY=hk_test_...' line it prints, or make a key with" >&2
  echo "'.venv/bin/flask --app service keys create --name me'." >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# call STATUS METHOD PATH [curl options...]: the body lands in $work/body and the
# headers in $work/headers; any other status prints the answer and stops the script.
call() {
  local expected=$1 method=$2 path=$3 status
  shift 3
  status=$(curl -sS -u "$HIREMIX_KEY:" -X "$method" -D "$work/headers" -o "$work/body" \
    -w '%{http_code}' "$@" "$HIREMIX_URL$path") \
    || { echo "Cannot reach $HIREMIX_URL: is the server running (make run)?" >&2; exit 1; }
  if [ "$status" != "$expected" ]; then
    echo "$method $path answered $status, expected $expected:" >&2
    cat "$work/body" >&2
    echo >&2
    exit 1
  fi
}
# json EXPRESSION: a Python expression over the last JSON body `d`.
json() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$work/body"; }
# header NAME: a header of the last answer.
header() { tr -d '\r' < "$work/headers" | awk -v name="$1" 'tolower($0) ~ "^" tolower(name) ":" { sub(/^[^:]*: */, ""); print }'; }

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
