--[[
  Record the success of a job and retire its stream entry.

  Acknowledged entries are deleted, so the ready stream holds only live work. A job that
  already succeeded is left as it is and the call reports a duplicate: delivery is
  at-least-once and a second success is counted, not hidden.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  job hash
    ARGV[1]  consumer group
    ARGV[2]  stream entry id of this delivery
    ARGV[3]  now, epoch ms
    ARGV[4]  result (JSON text, '' for none)
    ARGV[5]  seconds to keep the finished job

  Output: 'ok', 'duplicate' or 'gone'
]]
local ready, job = KEYS[1], KEYS[2]
local group, entry_id, now, result, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

--#include retire

retire(ready, group, entry_id)
local state = redis.call('HGET', job, 'state')
if not state then return 'gone' end
if state == 'succeeded' then return 'duplicate' end
redis.call('HSET', job, 'state', 'succeeded', 'result', result,
  'finished_at', now, 'updated_at', now, 'entry', '')
redis.call('EXPIRE', job, ttl)
return 'ok'
