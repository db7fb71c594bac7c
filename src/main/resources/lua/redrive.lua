--[[
  Send dead jobs back to the ready stream with a fresh set of attempts, and remove their
  dead-letter entries. Ids that are not dead (redriven already, expired) only lose their
  dead-letter entry.

  Input:
    KEYS[1]  dead-letter stream
    KEYS[2]  ready stream
    ARGV[1]  now, epoch ms
    ARGV[2]  job hash key prefix (streamq:{queue}:job:)
    ARGV[3..] job ids

  Output: number of jobs redriven
]]
local dead, ready = KEYS[1], KEYS[2]
local now, job_prefix = ARGV[1], ARGV[2]
-- ARGV[3..]: the job ids

local redriven = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local job = job_prefix .. id
  local f = redis.call('HMGET', job, 'state', 'type', 'dead_entry')
  local state, jtype, dead_entry = f[1], f[2], f[3]
  if dead_entry and dead_entry ~= '' then redis.call('XDEL', dead, dead_entry) end
  if state == 'dead' then
    local entry = redis.call('XADD', ready, '*', 'id', id, 'type', jtype)
    redis.call('HSET', job, 'state', 'queued', 'attempts', 0, 'entry', entry,
      'updated_at', now, 'dead_entry', '')
    redis.call('HDEL', job, 'finished_at', 'dead_reason')
    redis.call('PERSIST', job)
    redriven = redriven + 1
  end
end
return redriven
