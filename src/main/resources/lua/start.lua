--[[
  Start the deliveries one read of the ready stream returned (XREADGROUP or reclaim), in
  one round trip.

  A delivery is stale when its job has finished or has moved on to a newer stream entry
  (it was retried or handed back): the entry is acknowledged and deleted and its handler
  does not run. Otherwise the attempt is counted and the job is marked running.

  Input:
    KEYS[1]   ready stream
    KEYS[2..] the job hash of each delivery
    ARGV[1]   consumer group
    ARGV[2]   now, epoch ms
    ARGV[3]   consumer (worker) name
    ARGV[4..] the stream entry id of each delivery, in the order of KEYS[2..]

  Output: flat array, 8 per delivery:
          'run', attempts, max_attempts, type, payload, created_at, traceparent, tracestate
          ('' for a trace field the job does not have)
          or 'stale', state and 6 x ''   or 'gone' and 7 x '' (no job hash)
]]
local ready = KEYS[1]
local group, now, consumer = ARGV[1], ARGV[2], ARGV[3]
-- delivery i: its job hash is KEYS[1 + i], its stream entry ARGV[3 + i]

--#include retire

local out = {}
for i = 1, #KEYS - 1 do
  local job, entry_id = KEYS[1 + i], ARGV[3 + i]
  -- One read for the check and the answer: max_attempts, type, payload, created_at and the
  -- trace context do not change when the job starts.
  local f = redis.call('HMGET', job, 'state', 'entry', 'max_attempts', 'type', 'payload', 'created_at',
    'traceparent', 'tracestate')
  local state, entry, max_attempts, jtype, payload, created_at = f[1], f[2], f[3], f[4], f[5], f[6]
  if not state or entry ~= entry_id or state == 'succeeded' or state == 'dead' then
    retire(ready, group, entry_id)
    local verdict = state and 'stale' or 'gone'
    for _, v in ipairs({verdict, state or '', '', '', '', '', '', ''}) do out[#out + 1] = v end
  else
    local attempts = redis.call('HINCRBY', job, 'attempts', 1)
    redis.call('HSET', job, 'state', 'running', 'started_at', now, 'updated_at', now, 'worker', consumer)
    for _, v in ipairs({'run', attempts, max_attempts, jtype, payload, created_at, f[7] or '', f[8] or ''}) do
      out[#out + 1] = v
    end
  end
end
return out
