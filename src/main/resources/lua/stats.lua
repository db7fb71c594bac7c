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
local len = redis.call('XLEN', KEYS[1])
local pending, lag, consumers = 0, len, 0
if len > 0 or redis.call('EXISTS', KEYS[1]) == 1 then
  local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
  for _, g in ipairs(groups) do
    local h = {}
    for i = 1, #g, 2 do h[g[i]] = g[i + 1] end
    if h['name'] == ARGV[1] then
      pending = h['pending']
      consumers = h['consumers']
      if type(h['lag']) == 'number' then lag = h['lag'] else lag = len - pending end
    end
  end
end
return {len, pending, lag, consumers, redis.call('ZCARD', KEYS[2]), redis.call('XLEN', KEYS[3])}
