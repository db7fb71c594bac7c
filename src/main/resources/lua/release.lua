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
local ready, job = KEYS[1], KEYS[2]
local group, entry_id, now = ARGV[1], ARGV[2], ARGV[3]

--#include retire

local f = redis.call('HMGET', job, 'state', 'entry', 'type', 'id')
local state, entry, jtype, id = f[1], f[2], f[3], f[4]
if (state ~= 'running' and state ~= 'queued') or entry ~= entry_id then return 0 end
retire(ready, group, entry_id)
local new_entry = redis.call('XADD', ready, '*', 'id', id, 'type', jtype)
if state == 'running' then redis.call('HINCRBY', job, 'attempts', -1) end
redis.call('HSET', job, 'state', 'queued', 'entry', new_entry, 'updated_at', now)
return 1
