-- Response-dependent sequences over all connections: create an invoice (POST create_path with
-- create_body); each reply's status picks the next action on that invoice from the steps until a status
-- without a step, which completes one sequence. Pending actions go before new creates.
-- A step is "key action" or "key action|body"; the key is the invoice's status, or "draft0" for a draft
-- with nothing due (e.g. "draft0 add_lines|lines[0][amount]=1099", "draft finalize",
-- "open mark_uncollectible"): the action is POST prefix..ID.."/"..action with that body.
-- args: create_path create_body prefix step...
local create, prefix, steps, todo = nil, "", {}, {}
completed = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  create = wrk.format("POST", args[1], nil, args[2])
  prefix = args[3]
  for i = 4, #args do
    local key, action = string.match(args[i], "^(%w+) (.*)$")
    local name, body = string.match(action, "^([%w_]+)|(.*)$")
    steps[key] = {name or action, body}
  end
end
function request()
  local n = #todo
  if n > 0 then
    local item = todo[n]
    todo[n] = nil
    return wrk.format("POST", item[1], nil, item[2])
  end
  return create
end
function response(status, headers, body)
  if status ~= 200 then return end
  local id = string.match(body, '"id":%s*"(in_%w+)"')
  local state = string.match(body, '"status":%s*"(%a+)"')
  if id == nil or state == nil then return end
  local key = state
  if state == "draft" and steps["draft0"] and string.match(body, '"amount_due":%s*0[,}]') then key = "draft0" end
  local step = steps[key]
  if step then
    todo[#todo + 1] = {prefix .. id .. "/" .. step[1], step[2]}
  else
    completed = completed + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("completed") or 0) end
  io.write(string.format("SEQUENCES %d\n", total))
end
