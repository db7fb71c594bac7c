--[[
  Record a failed attempt: schedule a retry after the backoff, or dead-letter the job
  when it has used its attempts (or cannot be retried at all).

  A failure of a stale delivery (the job succeeded meanwhile, or moved on to a newer
  entry) changes nothing but the entry, which is acknowledged and deleted.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  job hash
    KEYS[3]  delayed sorted set
    KEYS[4]  dead-letter stream
    ARGV[1]  consumer group
    ARGV[2]  stream entry id of this delivery
    ARGV[3]  now, epoch ms
    ARGV[4]  error text
    ARGV[5]  retry at, epoch ms; -1 when the job must not be retried
    ARGV[6]  dead-letter reason when it is not retried ('max_attempts', 'no_handler', ...)
    ARGV[7]  seconds to keep a dead job
    ARGV[8]  approximate cap on the dead-letter stream length

  Output: 'retry', 'dead', 'stale' or 'gone'
]]
local ready, job, delayed, dead = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group, entry_id, now, err = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local retry_at, reason, dead_ttl, dead_cap = tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]

--#include retire
--#include dead_letter

retire(ready, group, entry_id)
local f = redis.call('HMGET', job, 'state', 'entry', 'attempts', 'max_attempts', 'id')
local state, entry, attempts, max_attempts, id = f[1], f[2], f[3], f[4], f[5]
if not state then return 'gone' end
if state ~= 'running' or entry ~= entry_id then return 'stale' end
if retry_at >= 0 and tonumber(attempts) < tonumber(max_attempts) then
  redis.call('HSET', job, 'state', 'retrying', 'last_error', err,
    'run_at', retry_at, 'updated_at', now, 'entry', '')
  redis.call('ZADD', delayed, retry_at, id)
  return 'retry'
end
if retry_at >= 0 then reason = 'max_attempts' end
dead_letter(dead, job, id, reason, err, now, dead_ttl, dead_cap)
return 'dead'
