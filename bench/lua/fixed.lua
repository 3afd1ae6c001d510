-- The same request every time. args: method path body
local req
function init(args)
  if args[3] ~= "" then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end
  req = wrk.format(args[1], args[2], nil, args[3] ~= "" and args[3] or nil)
end
function request() return req end
