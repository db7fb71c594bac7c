--[[
  Tell whether a queue is idle, and with 'delete' forget it: an idle queue has nothing
  waiting, running, scheduled or dead, and its ready stream took no entry (a submission, a
  promotion, a retry or a hand-back) for the idle time. Its keys are then empty and are
  deleted, so a forgotten queue costs no memory. Job hashes keep their own TTLs: a finished
  job stays readable by id.

  The caller removes the queue from the registry before it deletes, and adds it back when
  this answers 0: a submission that lands in between makes the queue busy again here, and one
  that lands after the delete finds no ready stream, which makes enqueue say so and register
  the queue again.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  delayed sorted set
    KEYS[3]  dead-letter stream
    ARGV[1]  now, epoch ms
    ARGV[2]  idle time, ms
    ARGV[3]  'check' (no writes) or 'delete'

  Output: 1 when the queue is idle (with 'delete': its keys are gone), 0 otherwise
]]
if redis.call('XLEN', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 or redis.call('XLEN', KEYS[3]) > 0 then
  return 0
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      local last_ms = tonumber(string.match(info[i + 1], '^(%d+)'))
      if tonumber(ARGV[1]) - last_ms < tonumber(ARGV[2]) then return 0 end
    end
  end
end
if ARGV[3] == 'delete' then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return 1
