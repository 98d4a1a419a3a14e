-- One fixed request, sent over and over by every wrk connection (benchmarks/serving.py).
--
-- The URL on wrk's command line gives the path; the environment gives the rest:
--   BENCH_METHOD     GET or POST (default GET)
--   BENCH_KEY        API key, sent as "Authorization: Bearer <key>" (optional)
--   BENCH_BODY_FILE  a file holding the JSON body of a POST (optional)
-- done() prints one line "BENCH_RESULT {json}" for the Python side to read.

wrk.method = os.getenv("BENCH_METHOD") or "GET"

local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"non_2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
