--[[
  Depth of one queue in one round trip.

  Acknowledged entries are deleted, so the ready stream holds exactly the waiting
  (undelivered) and pending (delivered, unacknowledged) jobs.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  delayed sorted set
    KEYS[3]  dead-letter stream
    ARGV[1]  consumer group

  Output: {stream length, pending, lag, consumers, delayed, dead}
]]
local ready, delayed, dead = KEYS[1], KEYS[2], KEYS[3]
local group = ARGV[1]

local len = redis.call('XLEN', ready)
local pending, lag, consumers = 0, len, 0
if len > 0 or redis.call('EXISTS', ready) == 1 then
  local groups = redis.call('XINFO', 'GROUPS', ready)
  for _, g in ipairs(groups) do
    local h = {}
    for i = 1, #g, 2 do h[g[i]] = g[i + 1] end
    if h['name'] == group then
      pending = h['pending']
      consumers = h['consumers']
      if type(h['lag']) == 'number' then lag = h['lag'] else lag = len - pending end
    end
  end
end
return {len, pending, lag, consumers, redis.call('ZCARD', delayed), redis.call('XLEN', dead)}
