-- wrk script for bench/admission_bench.sh: POSTs one AdmissionReview (the file named by
-- $ADMISSION_BODY) to the path given as the URL, and counts answers that are not "allowed":true
-- (a benchmark of denials or errors would measure the wrong thing).
local f = assert(io.open(os.getenv("ADMISSION_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  not_allowed = 0
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"allowed":true', 1, true) then
    not_allowed = not_allowed + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("not_allowed") end
  io.write(string.format("not_allowed %d\n", total))
end
