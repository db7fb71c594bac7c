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
local redriven = 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local key = ARGV[2] .. id
  local f = redis.call('HMGET', key, 'state', 'type', 'dead_entry')
  if f[3] and f[3] ~= '' then redis.call('XDEL', KEYS[1], f[3]) end
  if f[1] == 'dead' then
    local entry = redis.call('XADD', KEYS[2], '*', 'id', id, 'type', f[2])
    redis.call('HSET', key, 'state', 'queued', 'attempts', 0, 'entry', entry,
      'updated_at', ARGV[1], 'dead_entry', '')
    redis.call('HDEL', key, 'finished_at', 'dead_reason')
    redis.call('PERSIST', key)
    redriven = redriven + 1
  end
end
return redriven
