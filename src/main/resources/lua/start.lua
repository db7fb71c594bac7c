--[[
  Start one delivery of a job read from the ready stream (XREADGROUP or reclaim).

  A delivery is stale when the job has finished or has moved on to a newer stream entry
  (it was retried or handed back): the entry is acknowledged and deleted and the handler
  does not run. Otherwise the attempt is counted and the job is marked running.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  job hash
    ARGV[1]  consumer group
    ARGV[2]  stream entry id of this delivery
    ARGV[3]  now, epoch ms
    ARGV[4]  consumer (worker) name

  Output: {'run', attempts, max_attempts, type, payload, created_at}
          or {'stale', state} or {'gone'} (the job hash no longer exists)
]]
local state = redis.call('HGET', KEYS[2], 'state')
if not state then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
  return {'gone'}
end
local entry = redis.call('HGET', KEYS[2], 'entry')
if entry ~= ARGV[2] or state == 'succeeded' or state == 'dead' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
  return {'stale', state}
end
local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('HSET', KEYS[2], 'state', 'running', 'started_at', ARGV[3],
  'updated_at', ARGV[3], 'worker', ARGV[4])
local f = redis.call('HMGET', KEYS[2], 'max_attempts', 'type', 'payload', 'created_at')
return {'run', attempts, f[1], f[2], f[3], f[4]}
