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
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local state = redis.call('HGET', KEYS[2], 'state')
if not state then return 'gone' end
if state == 'succeeded' then return 'duplicate' end
redis.call('HSET', KEYS[2], 'state', 'succeeded', 'result', ARGV[4],
  'finished_at', ARGV[3], 'updated_at', ARGV[3], 'entry', '')
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 'ok'
