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
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local f = redis.call('HMGET', KEYS[2], 'state', 'entry', 'attempts', 'max_attempts', 'id')
local state, entry = f[1], f[2]
if not state then return 'gone' end
if state ~= 'running' or entry ~= ARGV[2] then return 'stale' end
local retry_at = tonumber(ARGV[5])
if retry_at >= 0 and tonumber(f[3]) < tonumber(f[4]) then
  redis.call('HSET', KEYS[2], 'state', 'retrying', 'last_error', ARGV[4],
    'run_at', retry_at, 'updated_at', ARGV[3], 'entry', '')
  redis.call('ZADD', KEYS[3], retry_at, f[5])
  return 'retry'
end
local reason = ARGV[6]
if retry_at >= 0 then reason = 'max_attempts' end
local dead_entry = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*',
  'id', f[5], 'reason', reason, 'error', ARGV[4])
redis.call('HSET', KEYS[2], 'state', 'dead', 'last_error', ARGV[4], 'dead_reason', reason,
  'dead_entry', dead_entry, 'finished_at', ARGV[3], 'updated_at', ARGV[3], 'entry', '')
redis.call('EXPIRE', KEYS[2], ARGV[7])
return 'dead'
