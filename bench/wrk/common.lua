-- Helpers for the wrk scenarios in this folder: reading the per-user lines the bench script
-- writes, spreading requests over users, counting answers by status, and one JSON line of
-- results per run (prefixed RESULT so the script can find it).
local common = {}

-- Each line of $BENCH_USERS: "<token> <id of one of the user's entries>".
function common.users()
  local users = {}
  local file = assert(io.open(os.getenv("BENCH_USERS"), "r"))
  for line in file:lines() do
    local token, entry = line:match("^(%S+)%s+(%S+)$")
    if token then users[#users + 1] = { token = token, entry = entry } end
  end
  file:close()
  assert(#users > 0, "no users in BENCH_USERS")
  return users
end

-- Threads start at different users so connections do not march in step.
local threads = {}
function common.setup(thread)
  thread:set("offset", #threads * 17)
  threads[#threads + 1] = thread
end

function common.count(status)
  statuses = statuses or {}
  statuses[status] = (statuses[status] or 0) + 1
end

function common.report(summary, latency)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses") or {}
    for status, n in pairs(seen) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do parts[#parts + 1] = string.format('"%d":%d', status, n) end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"socket_errors":%d,"statuses":{%s}}\n',
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, table.concat(parts, ",")))
end

return common
