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
    ARGV[4..] 9 per job: id, type, payload (JSON text), max_attempts, run_at (epoch ms),
              idempotency key ('' when none), request fingerprint, W3C traceparent of the
              submitting request's span and its tracestate ('' when none: no field written).
              Per job: a batch's jobs share their request's context, a group commit's jobs
              (api.GroupCommit) each have their own request's

  Output: flat array, 3 per job: id, state, replayed (1) or new (0), then 1 when the ready
          stream did not exist before this call (a new or forgotten queue: the caller must
          register it), else 0;
          or {'conflict', i} when job i reuses a key for a different request
]]
local ready, delayed = KEYS[1], KEYS[2]
local now, idem_ttl, job_prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
-- Read before any write: a new or forgotten queue must be registered by the caller.
local absent = redis.call('EXISTS', ready) == 0 and 1 or 0
local n = (#KEYS - 2) / 2

-- Job i's keys and arguments by name.
local function job(i)
  local a = 3 + (i - 1) * 9
  return {
    key = KEYS[1 + 2 * i], idem_key = KEYS[2 + 2 * i],
    id = ARGV[a + 1], type = ARGV[a + 2], payload = ARGV[a + 3], max_attempts = ARGV[a + 4],
    run_at = tonumber(ARGV[a + 5]), idem = ARGV[a + 6], fingerprint = ARGV[a + 7],
    traceparent = ARGV[a + 8], tracestate = ARGV[a + 9],
  }
end

-- Conflicts first, before any write: a script's writes are not rolled back on return.
local seen = {}
for i = 1, n do
  local j = job(i)
  if j.idem ~= '' then
    local known = seen[j.idem]
    if not known then
      local existing = redis.call('GET', j.idem_key)
      known = existing and redis.call('HGET', job_prefix .. existing, 'idem_fp') or j.fingerprint
      seen[j.idem] = known
    end
    if known ~= j.fingerprint then return {'conflict', i} end
  end
end

local out = {}
for i = 1, n do
  local j = job(i)
  -- The job id itself dedupes a producer's own retry of a call whose answer was lost.
  local existing = false
  if redis.call('EXISTS', j.key) == 1 then existing = j.id
  elseif j.idem ~= '' then existing = redis.call('GET', j.idem_key) end
  if existing then
    -- A replay still writes (refreshes the key's TTL) so that a WAIT after it covers the
    -- original write too: replication is ordered, and WAIT counts from this connection's
    -- last write.
    local existing_key = job_prefix .. existing
    local state = redis.call('HGET', existing_key, 'state')
    if state then
      redis.call('HINCRBY', existing_key, 'replays', 1)
    else
      state = 'expired'
      redis.call('EXPIRE', j.idem_key, idem_ttl)
    end
    out[#out + 1] = existing
    out[#out + 1] = state
    out[#out + 1] = 1
  else
    local state = 'queued'
    local entry = ''
    if j.run_at > now then
      state = 'scheduled'
      redis.call('ZADD', delayed, j.run_at, j.id)
    else
      entry = redis.call('XADD', ready, '*', 'id', j.id, 'type', j.type)
    end
    redis.call('HSET', j.key,
      'id', j.id, 'type', j.type, 'payload', j.payload, 'state', state,
      'attempts', 0, 'max_attempts', j.max_attempts,
      'created_at', now, 'run_at', j.run_at, 'updated_at', now,
      'idem_key', j.idem, 'idem_fp', j.fingerprint, 'entry', entry)
    -- Optional: a job submitted without a sampled trace carries no trace fields at all.
    if j.traceparent ~= '' then redis.call('HSET', j.key, 'traceparent', j.traceparent) end
    if j.tracestate ~= '' then redis.call('HSET', j.key, 'tracestate', j.tracestate) end
    if j.idem ~= '' then redis.call('SET', j.idem_key, j.id, 'EX', idem_ttl) end
    out[#out + 1] = j.id
    out[#out + 1] = state
    out[#out + 1] = 0
  end
end
out[#out + 1] = absent
return out
