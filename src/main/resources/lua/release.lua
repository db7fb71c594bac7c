--[[
  Hand a job back to the ready stream, for a worker that shuts down before its handler
  finished (running: the attempt is not counted) or before it started a delivery it had
  already read (queued). The job gets a new entry, so the old delivery becomes stale if
  its handler still completes.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  job hash
    ARGV[1]  consumer group
    ARGV[2]  stream entry id of this delivery
    ARGV[3]  now, epoch ms

  Output: 1 when handed back, 0 when the delivery was stale
]]
local f = redis.call('HMGET', KEYS[2], 'state', 'entry', 'type', 'id')
if (f[1] ~= 'running' and f[1] ~= 'queued') or f[2] ~= ARGV[2] then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local entry = redis.call('XADD', KEYS[1], '*', 'id', f[4], 'type', f[3])
if f[1] == 'running' then redis.call('HINCRBY', KEYS[2], 'attempts', -1) end
redis.call('HSET', KEYS[2], 'state', 'queued', 'entry', entry, 'updated_at', ARGV[3])
return 1
