-- METHOD prefix..ID..suffix with ID drawn at random from a file of ids, one a line.
-- args: ids_file method prefix suffix body offset(unused)
local ids, method, prefix, suffix, body = {}, "GET", "", "", nil
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  method, prefix, suffix = args[2], args[3], args[4]
  if args[5] ~= "" then
    body = args[5]
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  math.randomseed(os.time())
end
function request()
  return wrk.format(method, prefix .. ids[math.random(#ids)] .. suffix, nil, body)
end
