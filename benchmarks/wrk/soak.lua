-- Mixed traffic for the soak of benchmarks/serving.py: creates, previews, lists, gets and batches.
--
-- Environment:
--   BENCH_KEY           API key (Bearer)
--   BENCH_PROFILE_FILE  JSON body of one profile (creates and previews)
--   BENCH_BATCH_FILE    JSON body of a batch
--   BENCH_MIX           percentages "create,preview,list,get,batch", e.g. "35,25,15,20,5"
--   BENCH_IDS_FILE      where done() writes the id of every acknowledged write, one a line
-- A create's id comes from the Location header of its 201; a batch's ids from the items with
-- status 201 in its 200 body. A get asks for one of the ids this thread has seen acknowledged
-- (a list while there is none yet). done() prints "BENCH_RESULT {json}" with counts by status.

local function read(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local key = os.getenv("BENCH_KEY")
local profile = read(os.getenv("BENCH_PROFILE_FILE"))
local batch = read(os.getenv("BENCH_BATCH_FILE"))
local post_headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
local get_headers = {["Authorization"] = "Bearer " .. key}

local bounds, total = {}, 0
for share in string.gmatch(os.getenv("BENCH_MIX") or "35,25,15,20,5", "%d+") do
  total = total + tonumber(share)
  bounds[#bounds + 1] = total
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("number", #threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + number)
  ids, seen, statuses = {}, 0, {}
end

function request()
  local pick = math.random(total)
  if pick <= bounds[1] then
    return wrk.format("POST", "/v1/recommendations", post_headers, profile)
  elseif pick <= bounds[2] then
    return wrk.format("POST", "/v1/recommendations/preview", post_headers, profile)
  elseif pick <= bounds[4] and pick > bounds[3] and seen > 0 then
    return wrk.format("GET", "/v1/recommendations/" .. ids[math.random(seen)], get_headers)
  elseif pick <= bounds[4] then
    return wrk.format("GET", "/v1/recommendations", get_headers)
  else
    return wrk.format("POST", "/v1/recommendations/batch", post_headers, batch)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local location = headers["Location"] or headers["location"] or ""
    local id = string.match(location, "(rec_%w+)$")
    if id then
      seen = seen + 1
      ids[seen] = id
    end
  elseif status == 200 and string.sub(body, 1, 9) == '{"items":' then
    for id in string.gmatch(body, '"status":201,"recommendation":{"id":"(rec_%w+)"') do
      seen = seen + 1
      ids[seen] = id
    end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_IDS_FILE"), "w"))
  local counts = {}
  for _, thread in ipairs(threads) do
    for _, id in ipairs(thread:get("ids")) do
      out:write(id, "\n")
    end
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  out:close()
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, table.concat(parts, ",")))
end
