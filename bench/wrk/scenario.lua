-- One wrk scenario, chosen by $SCENARIO:
--   list       GET /api/entries            (a valid token per request, round robin over users)
--   post       POST /api/entries           (a ~200 character entry)
--   one        GET /api/entries/{id}       (one of the user's own entries)
--   badsig     GET /api/entries            (a token whose signature was altered)
--   unknownkid GET /api/entries            (a token naming a key the issuer never published)
local common = dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")
local scenario = os.getenv("SCENARIO")
local users, next_user = nil, 0
local body = '{"content":"Benchmark entry: walked to the station, the trains ran late, read two ' ..
  'chapters on the platform and wrote this down before the meeting started. Tea was cold."}'

setup = common.setup

function init(args)
  users = common.users()
  next_user = offset or 0
  statuses = {}
end

function request()
  next_user = next_user + 1
  local user = users[(next_user % #users) + 1]
  local headers = { ["Authorization"] = "Bearer " .. user.token }
  if scenario == "post" then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/entries", headers, body)
  elseif scenario == "one" then
    return wrk.format("GET", "/api/entries/" .. user.entry, headers)
  end
  return wrk.format("GET", "/api/entries", headers)
end

function response(status, headers, body)
  common.count(status)
end

done = common.report
