-- dead_letter(dead, job, id, reason, err, now, ttl, cap): add the job to the dead-letter
-- stream (trimmed to about cap entries) and mark its hash dead with the reason and error,
-- kept ttl seconds. The hash names its dead-letter entry, so a redrive can remove it.
local function dead_letter(dead, job, id, reason, err, now, ttl, cap)
  local dead_entry = redis.call('XADD', dead, 'MAXLEN', '~', cap, '*', 'id', id, 'reason', reason, 'error', err)
  redis.call('HSET', job, 'state', 'dead', 'last_error', err, 'dead_reason', reason,
    'dead_entry', dead_entry, 'finished_at', now, 'updated_at', now, 'entry', '')
  redis.call('EXPIRE', job, ttl)
end
