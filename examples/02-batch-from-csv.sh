#!/usr/bin/env bash
# A batch from CSV: send a spreadsheet of requisitions to POST /v1/recommendations/batch
# as text/csv, show the result of each row (examples/requisitions.csv has one invalid
# row, REQ-2006 with stage series_z, to show a per-row 422 next to the stored rows),
# then export every stored recommendation as CSV with `Accept: text/csv`.
#
#   export HIREMIX_KEY=hk_test_...              # printed by `make run`
#   examples/02-batch-from-csv.sh [FILE.csv]    # default: examples/requisitions.csv
#
# The export is written to hiremix-export.csv in the current directory.
# HIREMIX_URL defaults to http://127.0.0.1:8000. Needs curl, and python3 to read
# the JSON answer (no jq).
set -euo pipefail

. "$(dirname "$0")/common.bash"

csv=${1:-$(dirname "$0")/requisitions.csv}
export_file=hiremix-export.csv

echo "POST /v1/recommendations/batch with $csv as text/csv"
# The answer is 200 whenever the file itself is well-formed; each row has its own status.
call 200 POST /v1/recommendations/batch -H 'Content-Type: text/csv' --data-binary @"$csv"
python3 - "$work/body" <<'PY'
import json, sys

batch = json.load(open(sys.argv[1]))
for item in batch["items"]:
    row = "row %d" % item["index"]  # 0 is the first row under the header
    if item["status"] == 201:
        rec = item["recommendation"]
        print("  %s: 201 stored %s  %-8s  %s" % (row, rec["id"], rec["profile"].get("external_id") or "", rec["recommendation"]))
    else:
        problem = item["problem"]
        for error in problem.get("errors") or [{"pointer": "", "code": problem["code"], "message": problem["detail"]}]:
            print("  %s: %d %s  %s %s: %s" % (row, item["status"], problem["code"], error["pointer"], error["code"], error["message"]))
print("stored %d, failed %d" % (batch["stored"], batch["failed"]))
PY

echo
echo "GET /v1/recommendations with Accept: text/csv"
call 200 GET /v1/recommendations -H 'Accept: text/csv'
cp "$work/body" "$export_file"
rows=$(($(wc -l < "$export_file") - 1))
echo "  wrote $export_file: $rows recommendations, newest first; a few of its columns:"
# id, recommendation, stage, team_size, business_model (the columns before company_name hold no commas)
head -n 8 "$export_file" | cut -d, -f1,3,9,10,12 | sed 's/^/  /'
