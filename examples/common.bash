# Shared by the example scripts (sourced, not run): the server address, the key check,
# a scratch folder, and small helpers around curl and python3.
# shellcheck shell=bash

HIREMIX_URL=${HIREMIX_URL:-http://127.0.0.1:8000}
HIREMIX_URL=${HIREMIX_URL%/}
if [ -z "${HIREMIX_KEY:-}" ]; then
  echo "$(basename "${BASH_SOURCE[1]:-$0}"): HIREMIX_KEY is not set. Start the server with 'make run' and paste the" >&2
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
