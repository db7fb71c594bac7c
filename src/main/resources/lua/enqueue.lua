--[[
  Enqueue a batch of jobs of one queue, atomically.

  A job with an idempotency key that was already used, or whose id exists already, is not
  written again: the script answers with the job that key named (a replay). A job whose run_at is in the future
  waits in the delayed set; the others go straight to the ready stream.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  delayed sorted set
    KEYS[1+2i], KEYS[2+2i] for job i (1-based): its job hash, its idempotency key
             (the job hash key again when the job has no idempotency key)
    ARGV[1]  now, epoch ms
    ARGV[2]  idempotency key TTL, seconds
    ARGV[3]  job hash key prefix (streamq:{queue}:job:)
    ARGV[4..] 6 per job: id, type, payload (JSON text), max_attempts, run_at (epoch ms),
              idempotency key ('' when none)

  Output: flat array, 3 per job: id, state, replayed (1) or new (0)
]]
local now = tonumber(ARGV[1])
local idem_ttl = tonumber(ARGV[2])
local out = {}
local n = (#KEYS - 2) / 2
for i = 1, n do
  local job_key = KEYS[1 + 2 * i]
  local idem_key = KEYS[2 + 2 * i]
  local a = 3 + (i - 1) * 6
  local id, jtype, payload = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local max_attempts, run_at, idem = ARGV[a + 4], tonumber(ARGV[a + 5]), ARGV[a + 6]

  -- The job id itself dedupes a producer's own retry of a call whose answer was lost.
  local existing = false
  if redis.call('EXISTS', job_key) == 1 then existing = id
  elseif idem ~= '' then existing = redis.call('GET', idem_key) end
  if existing then
    -- A replay still writes (refreshes the key's TTL) so that a WAIT after it covers the
    -- original write too: replication is ordered, and WAIT counts from this connection's
    -- last write.
    local existing_key = ARGV[3] .. existing
    local state = redis.call('HGET', existing_key, 'state')
    if state then
      redis.call('HINCRBY', existing_key, 'replays', 1)
    else
      state = 'expired'
      redis.call('EXPIRE', idem_key, idem_ttl)
    end
    out[#out + 1] = existing
    out[#out + 1] = state
    out[#out + 1] = 1
  else
    local state = 'queued'
    local entry = ''
    if run_at > now then
      state = 'scheduled'
      redis.call('ZADD', KEYS[2], run_at, id)
    else
      entry = redis.call('XADD', KEYS[1], '*', 'id', id, 'type', jtype)
    end
    redis.call('HSET', job_key,
      'id', id, 'type', jtype, 'payload', payload, 'state', state,
      'attempts', 0, 'max_attempts', max_attempts,
      'created_at', now, 'run_at', run_at, 'updated_at', now,
      'idem_key', idem, 'entry', entry)
    if idem ~= '' then redis.call('SET', idem_key, id, 'EX', idem_ttl) end
    out[#out + 1] = id
    out[#out + 1] = state
    out[#out + 1] = 0
  end
end
return out
