-- retire(stream, group, entry_id): acknowledge a delivery's stream entry and delete it.
-- Acknowledged entries are deleted, so the ready stream holds only live work.
local function retire(stream, group, entry_id)
  redis.call('XACK', stream, group, entry_id)
  redis.call('XDEL', stream, entry_id)
end
