-- retire_all(stream, group, entry_ids): acknowledge deliveries' stream entries and delete them,
-- with one XACK and one XDEL per 500 ids (unpack's stack is bounded) instead of two commands
-- per entry. Acknowledged entries are deleted, so the ready stream holds only live work.
local function retire_all(stream, group, entry_ids)
  for from = 1, #entry_ids, 500 do
    local chunk = {unpack(entry_ids, from, math.min(from + 499, #entry_ids))}
    redis.call('XACK', stream, group, unpack(chunk))
    redis.call('XDEL', stream, unpack(chunk))
  end
end

-- retire(stream, group, entry_id): the same for one entry.
local function retire(stream, group, entry_id)
  retire_all(stream, group, {entry_id})
end
