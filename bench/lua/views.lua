-- Every request a different user agent, so each one is a fresh visitor and records a view.
-- setup() runs in the main state and gives each thread its number as the global thread_id.
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
  return wrk.format("GET", nil, {["User-Agent"] = "Mozilla/5.0 (bench " .. run .. "-" .. thread_id .. "-" .. count .. ")"})
end
