--[[
  Take over entries that another consumer left pending longer than the visibility
  timeout (its worker died, or a Redis failover lost its acknowledgement). An entry
  delivered max_deliveries times already is a poison job: it is dead-lettered instead,
  so one job cannot crash workers forever.

  XPENDING (not XAUTOCLAIM) is used first because it reports each entry's delivery count.

  Input:
    KEYS[1]  ready stream
    KEYS[2]  dead-letter stream
    ARGV[1]  consumer group
    ARGV[2]  consumer that takes the entries
    ARGV[3]  min idle time, ms (the visibility timeout)
    ARGV[4]  most entries to look at
    ARGV[5]  max deliveries
    ARGV[6]  job hash key prefix (streamq:{queue}:job:)
    ARGV[7]  now, epoch ms
    ARGV[8]  seconds to keep a dead job
    ARGV[9]  approximate cap on the dead-letter stream length

  Output: {claimed, poisoned}: claimed = flat list of (entry id, job id, attempt) triples,
          attempt = the job's attempts count, the one its last consumer abandoned (0 when it
          never started); poisoned = flat list of (job id, attempt) pairs dead-lettered
]]
local ready, dead = KEYS[1], KEYS[2]
local group, consumer, min_idle, count = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local max_deliveries, job_prefix, now = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local dead_ttl, dead_cap = ARGV[8], ARGV[9]

--#include retire
--#include dead_letter

local ok, pending = pcall(redis.call, 'XPENDING', ready, group, 'IDLE', min_idle, '-', '+', count)
if not ok then return {{}, {}} end
local claimed, poisoned = {}, {}
for _, p in ipairs(pending) do
  local eid, deliveries = p[1], tonumber(p[4])
  local entries = redis.call('XCLAIM', ready, group, consumer, min_idle, eid)
  local e = entries[1]
  if e then
    local fields = e[2]
    local id
    for i = 1, #fields, 2 do if fields[i] == 'id' then id = fields[i + 1] end end
    if deliveries >= max_deliveries then
      retire(ready, group, eid)
      local job = job_prefix .. id
      local state = redis.call('HGET', job, 'state')
      if state and state ~= 'succeeded' and state ~= 'dead' then
        local attempts = tonumber(redis.call('HGET', job, 'attempts') or '0')
        dead_letter(dead, job, id, 'poison', 'delivered ' .. deliveries .. ' times without finishing',
          now, dead_ttl, dead_cap)
        poisoned[#poisoned + 1] = id
        poisoned[#poisoned + 1] = attempts
      end
    else
      claimed[#claimed + 1] = eid
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = tonumber(redis.call('HGET', job_prefix .. id, 'attempts') or '0')
    end
  end
end
return {claimed, poisoned}
