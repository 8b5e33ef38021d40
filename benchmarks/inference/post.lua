-- wrk script: POST the body in $BODY_FILE with the headers in $HEADERS ("Name: value|Name: value"),
-- and count answers that are not a 200 whose body contains $EXPECT (a string every correct answer
-- holds, e.g. the output's name): wrk's own count misses a 200 with the wrong body.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
for header in string.gmatch(os.getenv("HEADERS") or "", "[^|]+") do
  local name, value = string.match(header, "^%s*([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

local expect = os.getenv("EXPECT") or ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, expect, 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("Bad answers: %d\n", total))
end
