-- A comment POST per request (CSRF and rate limits off in the bench server), each with its own text.
local count = 0
local next_id = 0
local run = "0"

-- bench.py passes a run id after "--", so no two runs (warm-up included) share a visitor.
function init(args)
  run = args[1] or "0"
end

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end

function request()
  count = count + 1
  local body = "name=Bench+reader&body=Thanks+for+this+article%2C+comment+" .. run .. "-" .. thread_id .. "-" .. count
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded",
                                  ["User-Agent"] = "Mozilla/5.0 (bench poster)"}, body)
end
