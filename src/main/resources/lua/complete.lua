--[[
  Record the success of a group of jobs of one queue and retire their stream entries, in one
  round trip (the worker groups the completions that finish while one call is in flight).

  Acknowledged entries are deleted, so the ready stream holds only live work. A job that
  already succeeded is left as it is and its answer is a duplicate: delivery is at-least-once
  and a second success is counted, not hidden.

  Input:
    KEYS[1]   ready stream
    KEYS[2..] the job hash of each completion
    ARGV[1]   consumer group
    ARGV[2]   now, epoch ms
    ARGV[3]   seconds to keep a finished job
    ARGV[2+2i], ARGV[3+2i] for completion i (1-based): the stream entry id of its delivery,
              its result (JSON text, '' for none)

  Output: one per completion, in order: 'ok', 'duplicate' or 'gone'
]]
local ready = KEYS[1]
local group, now, ttl = ARGV[1], ARGV[2], ARGV[3]

--#include retire

local entry_ids = {}
for i = 1, #KEYS - 1 do entry_ids[i] = ARGV[2 + 2 * i] end
retire_all(ready, group, entry_ids)

local out = {}
for i = 1, #KEYS - 1 do
  local job, result = KEYS[1 + i], ARGV[3 + 2 * i]
  local state = redis.call('HGET', job, 'state')
  if not state then
    out[i] = 'gone'
  elseif state == 'succeeded' then
    out[i] = 'duplicate'
  else
    redis.call('HSET', job, 'state', 'succeeded', 'result', result,
      'finished_at', now, 'updated_at', now, 'entry', '')
    redis.call('EXPIRE', job, ttl)
    out[i] = 'ok'
  end
end
return out
