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
local delayed, ready = KEYS[1], KEYS[2]
local now, limit, job_prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]

local ids = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, limit)
local moved = 0
for _, id in ipairs(ids) do
  if redis.call('ZREM', delayed, id) == 1 then
    local job = job_prefix .. id
    local f = redis.call('HMGET', job, 'type', 'state')
    local jtype, state = f[1], f[2]
    if jtype and (state == 'scheduled' or state == 'retrying') then
      local entry = redis.call('XADD', ready, '*', 'id', id, 'type', jtype)
      redis.call('HSET', job, 'state', 'queued', 'entry', entry, 'updated_at', now)
      moved = moved + 1
    end
  end
end
return moved
