-- wrk script: POST the body in $BODY_FILE with the headers in $HEADERS ("Name: value|Name: value").
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
for header in string.gmatch(os.getenv("HEADERS") or "", "[^|]+") do
  local name, value = string.match(header, "^%s*([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
