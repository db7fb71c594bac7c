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

  Output: flat array, 6 per delivery:
          'run', attempts, max_attempts, type, payload, created_at
          or 'stale', state, '', '', '', ''   or 'gone', '', '', '', '', '' (no job hash)
]]
local out = {}
for i = 2, #KEYS do
  local job, entry_id = KEYS[i], ARGV[i + 2]
  -- One read for the check and the answer: max_attempts, type, payload and created_at do
  -- not change when the job starts.
  local f = redis.call('HMGET', job, 'state', 'entry', 'max_attempts', 'type', 'payload', 'created_at')
  local state = f[1]
  if not state or f[2] ~= entry_id or state == 'succeeded' or state == 'dead' then
    redis.call('XACK', KEYS[1], ARGV[1], entry_id)
    redis.call('XDEL', KEYS[1], entry_id)
    local verdict = state and 'stale' or 'gone'
    for _, v in ipairs({verdict, state or '', '', '', '', ''}) do out[#out + 1] = v end
  else
    local attempts = redis.call('HINCRBY', job, 'attempts', 1)
    redis.call('HSET', job, 'state', 'running', 'started_at', ARGV[2], 'updated_at', ARGV[2], 'worker', ARGV[3])
    for _, v in ipairs({'run', attempts, f[3], f[4], f[5], f[6]}) do out[#out + 1] = v end
  end
end
return out
