"""The Redis state store's Lua scripts: each operation runs as one script, so it is atomic across replicas.

Key layout under the prefix ``P`` (all times in epoch milliseconds, money in nano-dollars):
``P n:<k>`` counter, ``P cd:<k>`` last call, ``P b:<k>`` settled spend, ``P bh:<k>`` / ``P bz:<k>``
open reservations (amount / lease) of budget ``k``, ``P r:<id>`` one reservation (``a`` amount,
``job``, ``k:<budget>`` expiry), ``P j:<job>`` job → reservation, ``P l:<id>`` ledger rows with
indexes ``P l:at`` and ``P l:u:<subject>`` and ``P l:job:<subject>/<job>``, ``P kv:<ns>:<key>``
records with ``P kvi:<ns>`` / ``P kvo:<ns>:<owner>`` indexes. Scripts build key names from ``P``,
so the store needs a single Redis (or a primary), not Redis Cluster.
"""

from __future__ import annotations

_COMMON = r"""
local P = ARGV[1]
local function live_reserved(bkey, now)
  local bz, bh = P .. 'bz:' .. bkey, P .. 'bh:' .. bkey
  local gone = redis.call('ZRANGEBYSCORE', bz, '-inf', now)
  for _, rid in ipairs(gone) do redis.call('HDEL', bh, rid) end
  redis.call('ZREMRANGEBYSCORE', bz, '-inf', now)
  local total = 0
  for _, v in ipairs(redis.call('HVALS', bh)) do total = total + tonumber(v) end
  return total
end
local function charge(bkey, nanos, expires)
  if tonumber(nanos) > 0 then
    local k = P .. 'b:' .. bkey
    redis.call('INCRBY', k, nanos)
    redis.call('PEXPIREAT', k, expires)
  end
end
local function release(rid, now)
  local r = P .. 'r:' .. rid
  local fields = redis.call('HGETALL', r)
  local targets, amount, live = {}, nil, false
  for i = 1, #fields, 2 do
    local f, v = fields[i], fields[i + 1]
    if string.sub(f, 1, 2) == 'k:' then
      local bkey = string.sub(f, 3)
      redis.call('HDEL', P .. 'bh:' .. bkey, rid)
      redis.call('ZREM', P .. 'bz:' .. bkey, rid)
      table.insert(targets, {bkey, v})
    elseif f == 'a' then amount = v
    elseif f == 'l' then live = tonumber(v) > now end
  end
  redis.call('DEL', r)
  if not live then return {}, nil end
  return targets, amount
end
local function append(row)
  local id = redis.call('INCR', P .. 'l:seq')
  local member = string.format('%016d', id)
  local flat = {}
  for f, v in pairs(row) do table.insert(flat, f); table.insert(flat, tostring(v)) end
  redis.call('HSET', P .. 'l:' .. member, unpack(flat))
  redis.call('ZADD', P .. 'l:at', row.at, member)
  redis.call('ZADD', P .. 'l:u:' .. row.subject, row.at, member)
  if row.job_id then redis.call('SET', P .. 'l:job:' .. row.subject .. '/' .. row.job_id, member) end
end
"""

RESERVE = _COMMON + r"""
local now, nc, ncd, nb = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local amount, lease, rid = ARGV[6], ARGV[7], ARGV[8]
local base = 8
for i = 0, nc - 1 do
  local key, limit = ARGV[base + 1 + i * 3], tonumber(ARGV[base + 2 + i * 3])
  local count = tonumber(redis.call('GET', P .. 'n:' .. key) or '0')
  if count + 1 > limit then return {'counter', i, count} end
end
local cb = base + nc * 3
for i = 0, ncd - 1 do
  local key, gap = ARGV[cb + 1 + i * 2], tonumber(ARGV[cb + 2 + i * 2])
  local last = redis.call('GET', P .. 'cd:' .. key)
  if last and now - tonumber(last) < gap then return {'cooldown', i, last} end
end
local bb = cb + ncd * 2
for i = 0, nb - 1 do
  local key, limit = ARGV[bb + 1 + i * 3], tonumber(ARGV[bb + 2 + i * 3])
  local committed = tonumber(redis.call('GET', P .. 'b:' .. key) or '0') + live_reserved(key, now)
  if committed + tonumber(amount) > limit then return {'budget', i, tostring(committed)} end
end
for i = 0, nc - 1 do
  local k = P .. 'n:' .. ARGV[base + 1 + i * 3]
  redis.call('INCR', k)
  redis.call('PEXPIREAT', k, ARGV[base + 3 + i * 3])
end
for i = 0, ncd - 1 do
  redis.call('SET', P .. 'cd:' .. ARGV[cb + 1 + i * 2], now, 'PX', math.max(1, math.ceil(ARGV[cb + 2 + i * 2])))
end
if nb > 0 then
  local r = P .. 'r:' .. rid
  redis.call('HSET', r, 'a', amount, 'l', lease)
  for i = 0, nb - 1 do
    local key, expires = ARGV[bb + 1 + i * 3], ARGV[bb + 3 + i * 3]
    redis.call('HSET', r, 'k:' .. key, expires)
    redis.call('HSET', P .. 'bh:' .. key, rid, amount)
    redis.call('ZADD', P .. 'bz:' .. key, lease, rid)
    redis.call('PEXPIREAT', P .. 'bh:' .. key, expires)
    redis.call('PEXPIREAT', P .. 'bz:' .. key, expires)
  end
  redis.call('PEXPIREAT', r, lease)
end
return false
"""

SETTLE = _COMMON + r"""
local rid, nanos, row, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local targets = release(rid, now)
for _, t in ipairs(targets) do charge(t[1], nanos, t[2]) end
if row ~= '' then append(cjson.decode(row)) end
return 1
"""

HOLD = _COMMON + r"""
local rid, lease, job_key, row, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local r = P .. 'r:' .. rid
local held = rid ~= '' and redis.call('HGET', r, 'l')
if held and tonumber(held) > now then
  redis.call('HSET', r, 'job', job_key, 'l', lease)
  redis.call('PEXPIREAT', r, lease)
  for _, f in ipairs(redis.call('HKEYS', r)) do
    if string.sub(f, 1, 2) == 'k:' then redis.call('ZADD', P .. 'bz:' .. string.sub(f, 3), lease, rid) end
  end
  redis.call('SET', P .. 'j:' .. job_key, rid, 'PXAT', lease)
end
append(cjson.decode(row))
return 1
"""

SETTLE_JOB = _COMMON + r"""
local job_key, nanos, row, fallback = ARGV[2], ARGV[3], cjson.decode(ARGV[4]), cjson.decode(ARGV[5])
local now = tonumber(ARGV[6])
local lid = redis.call('GET', P .. 'l:job:' .. job_key)
local lkey = lid and (P .. 'l:' .. lid) or nil
if lkey and redis.call('HEXISTS', lkey, 'settled_at') == 1 then return 'already' end
local targets, held = {}, nil
local rid = redis.call('GET', P .. 'j:' .. job_key)
if rid then
  targets, held = release(rid, now)
  redis.call('DEL', P .. 'j:' .. job_key)
end
if #targets == 0 then targets = fallback end
if nanos == '' then
  local estimate = lkey and redis.call('HGET', lkey, 'estimate_nanos') or false
  nanos = held or estimate or '0'
end
for _, t in ipairs(targets) do charge(t[1], nanos, t[2]) end
if not lkey then append(row); return 'orphan' end
redis.call('HSET', lkey, 'outcome', row.outcome, 'settled_at', row.settled_at)
if row.cost_usd then redis.call('HSET', lkey, 'cost_usd', row.cost_usd) end
if row.generation_id then redis.call('HSET', lkey, 'generation_id', row.generation_id) end
return 'settled'
"""

LEVELS = r"""
local P, now, nc = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i = 1, nc do table.insert(out, redis.call('GET', P .. 'n:' .. ARGV[3 + i]) or '0') end
for i = 4 + nc, #ARGV do
  local key = ARGV[i]
  table.insert(out, redis.call('GET', P .. 'b:' .. key) or '0')
  local ids = redis.call('ZRANGEBYSCORE', P .. 'bz:' .. key, '(' .. now, '+inf')
  local total = 0
  if #ids > 0 then
    for _, v in ipairs(redis.call('HMGET', P .. 'bh:' .. key, unpack(ids))) do total = total + tonumber(v or '0') end
  end
  table.insert(out, tostring(total))
end
return out
"""

PUT = r"""
local P, ns, key, value, expected, owner, created = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local k = P .. 'kv:' .. ns .. ':' .. key
local current = tonumber(redis.call('HGET', k, 'version') or '0')
if current ~= tonumber(expected) then return {0, current} end
local old = redis.call('HGET', k, 'owner')
if old and old ~= owner then redis.call('ZREM', P .. 'kvo:' .. ns .. ':' .. old, key) end
redis.call('HSET', k, 'value', value, 'version', current + 1, 'created_at', created)
if owner ~= '' then
  redis.call('HSET', k, 'owner', owner)
  redis.call('ZADD', P .. 'kvo:' .. ns .. ':' .. owner, created, key)
else
  redis.call('HDEL', k, 'owner')
end
redis.call('ZADD', P .. 'kvi:' .. ns, created, key)
return {1, current + 1}
"""
