-- METHOD prefix..ID..suffix taking the ids of a file in order from an offset, each once (a state change
-- that can happen once per object). Past the end it wraps around: those replies are errors, which the
-- report counts (the harness sizes the list so that it never wraps).
-- args: ids_file method prefix suffix body offset
local ids, method, prefix, suffix, body, i = {}, "POST", "", "", nil, 0
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  method, prefix, suffix = args[2], args[3], args[4]
  if args[5] ~= "" then body = args[5] end
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  i = tonumber(args[6]) or 0
end
function request()
  i = i + 1
  return wrk.format(method, prefix .. ids[(i - 1) % #ids + 1] .. suffix, nil, body)
end
