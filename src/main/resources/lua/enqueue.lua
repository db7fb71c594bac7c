--[[
  Enqueue a batch of jobs of one queue, atomically.

  A job with an idempotency key that was already used, or whose id exists already, is not
  written again: the script answers with the job that key named (a replay). A key reused
  for a different request (another fingerprint) is a conflict: nothing at all is written,
  and the script names the first offending job. A job whose run_at is in the future waits
  in the delayed set; the others go straight to the ready stream.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  delayed sorted set
    KEYS[1+2i], KEYS[2+2i] for job i (1-based): its job hash, its idempotency key
             (the job hash key again when the job has no idempotency key)
    ARGV[1]  now, epoch ms
    ARGV[2]  idempotency key TTL, seconds
    ARGV[3]  job hash key prefix (streamq:{queue}:job:)
    ARGV[4..] 7 per job: id, type, payload (JSON text), max_attempts, run_at (epoch ms),
              idempotency key ('' when none), request fingerprint

  Output: flat array, 3 per job: id, state, replayed (1) or new (0), then 1 when the ready
          stream did not exist before this call (a new or forgotten queue: the caller must
          register it), else 0;
          or {'conflict', i} when job i reuses a key for a different request
]]
local absent = redis.call('EXISTS', KEYS[1]) == 0 and 1 or 0
local now = tonumber(ARGV[1])
local idem_ttl = tonumber(ARGV[2])
local out = {}
local n = (#KEYS - 2) / 2

-- Conflicts first, before any write: a script's writes are not rolled back on return.
local seen = {}
for i = 1, n do
  local a = 3 + (i - 1) * 7
  local idem, fp = ARGV[a + 6], ARGV[a + 7]
  if idem ~= '' then
    local known = seen[idem]
    if not known then
      local existing = redis.call('GET', KEYS[2 + 2 * i])
      known = existing and redis.call('HGET', ARGV[3] .. existing, 'idem_fp') or fp
      seen[idem] = known
    end
    if known ~= fp then return {'conflict', i} end
  end
end

for i = 1, n do
  local job_key = KEYS[1 + 2 * i]
  local idem_key = KEYS[2 + 2 * i]
  local a = 3 + (i - 1) * 7
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
      'idem_key', idem, 'idem_fp', ARGV[a + 7], 'entry', entry)
    if idem ~= '' then redis.call('SET', idem_key, id, 'EX', idem_ttl) end
    out[#out + 1] = id
    out[#out + 1] = state
    out[#out + 1] = 0
  end
end
out[#out + 1] = absent
return out
