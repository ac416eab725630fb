import { redisScript } from './redis-script';
import { APPEND_FRAMES, BUDGET, NOW_MS, SWEEP } from './redis-stream-lua-parts';

/** How many finished streams a `create` weighs at a time while it looks for room. */
const EVICT_BATCH = 100;

/** What {@link CREATE} answers (`heldByKey` with the holder: `<fingerprint> <stream id>`). */
export const CREATE_REPLY = { created: 0, storeFull: 1, exists: 2, heldByKey: 3 } as const;

/**
 * Opens a stream if it could grow to its size limit within the budget, evicting the oldest
 * finished streams when that makes room, and nothing when it would not be enough; the instance
 * creating it holds its lease from then on. With an idempotency key (ARGV[9] is its request's
 * fingerprint, not empty) that another stream holds, it opens nothing and answers that one;
 * otherwise the new stream takes the key for ARGV[10] ms. KEYS: the budget's five, the stream's
 * info, the store's epoch ({@link EPOCH}), the idempotency key's. ARGV: the info and frames stems,
 * the stream id, model, owner, the stream's size limit, the store's budget, the lease (ms), the
 * fingerprint, the key's time. Answers one of {@link CREATE_REPLY}.
 */
export const CREATE = redisScript(`${NOW_MS}${SWEEP}
local info, id = KEYS[6], ARGV[3]
redis.call('SET', KEYS[7], now, 'NX')
local fingerprint = ARGV[9]
if fingerprint ~= '' then
  local holder = redis.call('GET', KEYS[8])
  if holder then return {${CREATE_REPLY.heldByKey}, holder} end
end
local limit, budget = tonumber(ARGV[6]), tonumber(ARGV[7])
if redis.call('EXISTS', info) == 1 or redis.call('ZSCORE', running, id)
    or redis.call('ZSCORE', finished, id) then
  return ${CREATE_REPLY.exists}
end
local held = redis.call('HMGET', totals, 'reservedBytes', 'finishedBytes')
local excess = tonumber(held[1] or '0') + limit - budget
if excess > 0 then
  -- Running streams are never evicted: only finished ones can make room.
  if excess > tonumber(held[2] or '0') then return ${CREATE_REPLY.storeFull} end
  local victims, freed, from = {}, 0, 0
  while freed < excess do
    local ids = redis.call('ZRANGE', finished, from, from + ${EVICT_BATCH} - 1)
    if #ids == 0 then return ${CREATE_REPLY.storeFull} end
    local bytes = redis.call('HMGET', sizes, unpack(ids))
    for i = 1, #ids do
      if freed >= excess then break end
      victims[#victims + 1] = ids[i]
      freed = freed + tonumber(bytes[i] or '0')
    end
    from = from + ${EVICT_BATCH}
  end
  for _, victim in ipairs(victims) do forget(victim) end
end
redis.call('HSET', info, 'model', ARGV[4], 'owner', ARGV[5], 'state', 'running', 'lastSeq', 0,
  'createdAt', now, 'bytes', 0, 'maxBytes', limit)
redis.call('ZADD', running, now, id)
redis.call('ZADD', leases, now + tonumber(ARGV[8]), id)
if fingerprint ~= '' then
  redis.call('SET', KEYS[8], fingerprint .. ' ' .. id, 'PX', ARGV[10])
end
add('reservedBytes', limit)
return ${CREATE_REPLY.created}
`);

/** What {@link APPEND} answers first, for each stream. */
export const APPEND_REPLY = { appended: 0, closed: 1 } as const;

/**
 * Appends frames to running streams, any number of them in one call (see \`append_frames\`), each
 * as if alone: one stream refusing its frames leaves the others' appended. Their keys are named
 * from the stems, not passed in KEYS (one Redis, not a Cluster, allows it). KEYS: the budget's
 * five. ARGV: the info and frames stems, the retention (ms), then one argument per stream (see
 * {@link appendArgument}). Answers, for each stream in order, {appended, lastSeq, bytes} or
 * {closed} (appending nothing) unless it is running ({@link APPEND_REPLY}).
 */
export const APPEND = redisScript(`${NOW_MS}${BUDGET}${APPEND_FRAMES}
local info_stem, frames_stem, retention = ARGV[1], ARGV[2], tonumber(ARGV[3])
local replies = {}
for i = 4, #ARGV do
  local append = ARGV[i]
  local at = string.find(append, '\\n', 1, true)
  local added, terminal, expected, id =
    string.match(at and string.sub(append, 1, at - 1) or append, '^(%d+) ([01]) (%-?%d+) (.*)$')
  local jsons = {}
  while at do
    local next_at = string.find(append, '\\n', at + 1, true)
    jsons[#jsons + 1] = string.sub(append, at + 1, (next_at or 0) - 1)
    at = next_at
  end
  expected = tonumber(expected)
  local last_seq, bytes = append_frames(id, info_stem .. id, frames_stem .. id, jsons,
    tonumber(added), terminal == '1', retention, expected >= 0 and expected or nil)
  if last_seq then
    replies[#replies + 1] = {${APPEND_REPLY.appended}, last_seq, bytes}
  else
    replies[#replies + 1] = {${APPEND_REPLY.closed}}
  end
end
return replies
`);

/**
 * One stream's argument to {@link APPEND}: a line of its frames' size, '1' if its last frame ends
 * it (else '0'), the position they must follow (-1 for any) and its id, then each frame's JSON on
 * a line of its own (none without frames). JSON text holds no raw line feed (RFC 8259, section 7:
 * control characters are escaped in strings). One argument rather than one per field and frame:
 * node-redis encodes each argument into strings of its own, and that encoding was the largest
 * allocation an append made under load (bench/README.md, issue 21).
 */
export function appendArgument(
  streamId: string,
  jsons: readonly string[],
  terminal: boolean,
  afterSeq: number | undefined,
): string {
  // A frame's cost: the length of its JSON, as the memory store counts it (not its UTF-8 bytes).
  const bytes = jsons.reduce((sum, json) => sum + json.length, 0);
  const header = `${bytes} ${terminal ? 1 : 0} ${afterSeq ?? -1} ${streamId}`;
  return jsons.length === 0 ? header : `${header}\n${jsons.join('\n')}`;
}

/** How many streams with a lapsed lease one heartbeat ends: a script blocks Redis. */
const REAP_BATCH = 100;

/**
 * One instance's heartbeat. It renews the leases of the streams it generates and notes which it
 * reads; it ends every stream whose lease has lapsed (its instance died, or could not reach Redis
 * for a whole lease) with the \`generation_lost\` frame; and it answers which of the streams it
 * generates have ended by another hand, and which are read on another instance. KEYS: the
 * budget's five. ARGV: the info, frames and readers stems, this instance's id, the lease (ms), how
 * long a note of readers lasts (ms), the retention (ms), the lost frame's JSON, the number of
 * streams generated, their ids, the number of streams read, their ids. Answers {ended ids, ids
 * read elsewhere}.
 */
export const HEARTBEAT = redisScript(`${NOW_MS}${BUDGET}${APPEND_FRAMES}
local info_stem, frames_stem, readers_stem, me = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lease, readers_ttl, retention = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local lost = ARGV[8]
local generating_count = tonumber(ARGV[9])
local reading_from = 10 + generating_count
for i = reading_from + 1, reading_from + tonumber(ARGV[reading_from]) do
  local readers = readers_stem .. ARGV[i]
  redis.call('ZADD', readers, now + readers_ttl, me)
  redis.call('PEXPIRE', readers, readers_ttl)
end
local ended, read_elsewhere = {}, {}
for i = 10, 9 + generating_count do
  local id = ARGV[i]
  if redis.call('HGET', info_stem .. id, 'state') ~= 'running' then
    ended[#ended + 1] = id
  else
    redis.call('ZADD', leases, now + lease, id)
    local readers = readers_stem .. id
    redis.call('ZREMRANGEBYSCORE', readers, '-inf', now)
    local count = redis.call('ZCARD', readers)
    if redis.call('ZSCORE', readers, me) then count = count - 1 end
    if count > 0 then read_elsewhere[#read_elsewhere + 1] = id end
  end
end
-- After renewing its own: an instance that beats late is late, not dead.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, ${REAP_BATCH})) do
  redis.call('ZREM', leases, id)
  -- The frame is ASCII: its length in bytes is its length as the store counts it.
  append_frames(id, info_stem .. id, frames_stem .. id, {lost}, #lost, true, retention)
end
return {ended, read_elsewhere}
`);

/**
 * The entries of a stream from an id on, at most `count` of them (ARGV[2], empty for all), or nil
 * when its info is gone (never created, expired or evicted), in one atomic step: a stream is never
 * "empty" for having gone between two commands. KEYS: the stream's info and frames. ARGV: the
 * first id, the count.
 */
export const READ = redisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local count = tonumber(ARGV[2])
if not count then return redis.call('XRANGE', KEYS[2], ARGV[1], '+') end
if count < 1 then return {} end
return redis.call('XRANGE', KEYS[2], ARGV[1], '+', 'COUNT', count)
`);

/**
 * Drops the finished streams past their retention, then answers {streams, bytes, reservedBytes}.
 * KEYS: the budget's four. ARGV: the info and frames stems.
 */
export const USAGE = redisScript(`${NOW_MS}${SWEEP}
local held = redis.call('HMGET', totals, 'bytes', 'reservedBytes')
local streams = redis.call('ZCARD', running) + redis.call('ZCARD', finished)
return {streams, tonumber(held[1] or '0'), tonumber(held[2] or '0')}
`);

/**
 * Since when this Redis has held every stream made on it: the time of the first stream after it
 * was (re)started empty, or of this call if none was made since. A stream made before it and not
 * found has been lost with the data, not expired. KEYS: the epoch. Answers the time (ms).
 */
export const EPOCH = redisScript(`${NOW_MS}
redis.call('SET', KEYS[1], now, 'NX')
return tonumber(redis.call('GET', KEYS[1]))
`);
