--[[
  Move due jobs (scheduled, or waiting out a retry backoff) from the delayed set to the
  ready stream. Safe to run on every worker at once: ZREM decides who moves an id.

  Input:
    KEYS[1]  delayed sorted set
    KEYS[2]  ready stream
    ARGV[1]  now, epoch ms
    ARGV[2]  most ids to move in one call
    ARGV[3]  job hash key prefix (streamq:{queue}:job:)

  Output: number of jobs moved
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local moved = 0
for _, id in ipairs(ids) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local key = ARGV[3] .. id
    local f = redis.call('HMGET', key, 'type', 'state')
    if f[1] and (f[2] == 'scheduled' or f[2] == 'retrying') then
      local entry = redis.call('XADD', KEYS[2], '*', 'id', id, 'type', f[1])
      redis.call('HSET', key, 'state', 'queued', 'entry', entry, 'updated_at', ARGV[1])
      moved = moved + 1
    end
  end
end
return moved
