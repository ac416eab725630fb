import { createHash } from 'node:crypto';

/** A Lua script, sent by its SHA1 and by its text the first time a server has not seen it. */
export interface Script {
  source: string;
  sha1: string;
}

function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** How many finished streams past their retention one call drops: a script blocks Redis. */
const SWEEP_BATCH = 1_000;

/** How many finished streams a `create` weighs at a time while it looks for room. */
const EVICT_BATCH = 100;

/**
 * The clock of every script is the server's (`TIME`: seconds and microseconds), never the calling
 * instance's, so instances whose clocks disagree still agree on what has expired.
 */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * The budget's keys, the first five KEYS of every script that changes it: the running streams
 * (id → createdAt), the finished ones (id → when they expire), the finished ones' sizes (id →
 * bytes: their own keys may expire before a sweep comes by), the totals (`bytes`,
 * `reservedBytes`, `finishedBytes`) and the leases of running streams (id → when the lease of the
 * instance generating it runs out). `add` changes a total; it skips 0, as HINCRBY refuses "-0".
 */
const BUDGET = `
local running, finished, sizes, totals, leases = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local function add(field, n)
  if n ~= 0 then redis.call('HINCRBY', totals, field, n) end
end
`;

/**
 * \`append_frames(id, info, frames, jsons, added, terminal, retention)\` appends the JSON frames
 * \`jsons\` (\`added\` their total size) to a running stream (after position \`expected\` only,
 * when given), each as the entry \`0-<seq>\` of its
 * frames key with the JSON in the field \`json\`; a \`terminal\` last frame finishes the stream: it
 * then counts at its size, its lease ends, and both its keys expire with its \`retention\`. A
 * running stream counts at its size limit (the one it was created with) or at its size once past
 * it. Answers its last position and size, or nil (appending nothing) unless the stream is running.
 */
const APPEND_FRAMES = `
local function append_frames(id, info, frames, jsons, added, terminal, retention, expected)
  local stream = redis.call('HMGET', info, 'state', 'lastSeq', 'bytes', 'maxBytes')
  local last_seq, bytes, limit = tonumber(stream[2]), tonumber(stream[3]), tonumber(stream[4])
  if expected and stream[1] and last_seq ~= expected then
    -- Already appended by this very call, whose answer was lost: answer as then.
    local tail = redis.call('XREVRANGE', frames, '+', '-', 'COUNT', 1)[1]
    if last_seq == expected + #jsons and tail and tail[2][2] == jsons[#jsons] then
      return last_seq, bytes
    end
    return nil
  end
  if stream[1] ~= 'running' then return nil end
  local reserved = math.max(bytes, limit)
  for _, json in ipairs(jsons) do
    last_seq = last_seq + 1
    redis.call('XADD', frames, '0-' .. last_seq, 'json', json)
  end
  bytes = bytes + added
  add('bytes', added)
  redis.call('HSET', info, 'lastSeq', last_seq, 'bytes', bytes)
  if terminal then
    local expires = now + retention
    redis.call('HSET', info, 'state', 'finished', 'finishedAt', now)
    redis.call('PEXPIREAT', info, expires)
    redis.call('PEXPIREAT', frames, expires)
    redis.call('ZREM', running, id)
    redis.call('ZREM', leases, id)
    redis.call('ZADD', finished, expires, id)
    redis.call('HSET', sizes, id, bytes)
    add('reservedBytes', bytes - reserved)
    add('finishedBytes', bytes)
  else
    add('reservedBytes', math.max(bytes, limit) - reserved)
  end
  return last_seq, bytes
end
`;

/**
 * `forget` takes a finished stream out of the budget and deletes its keys, named from the stems in
 * ARGV[1] and ARGV[2] (evicted streams are not in KEYS: a single Redis, not a Cluster, allows it).
 * Then the finished streams past their retention are forgotten, oldest first.
 */
const SWEEP = `${BUDGET}
local info_stem, frames_stem = ARGV[1], ARGV[2]
local function forget(id)
  local bytes = tonumber(redis.call('HGET', sizes, id) or '0')
  add('bytes', -bytes)
  add('reservedBytes', -bytes)
  add('finishedBytes', -bytes)
  redis.call('ZREM', finished, id)
  redis.call('HDEL', sizes, id)
  redis.call('UNLINK', info_stem .. id, frames_stem .. id)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', finished, '-inf', now, 'LIMIT', 0, ${SWEEP_BATCH})) do
  forget(id)
end
`;

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
export const CREATE = script(`${NOW_MS}${SWEEP}
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
export const APPEND = script(`${NOW_MS}${BUDGET}${APPEND_FRAMES}
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
export const HEARTBEAT = script(`${NOW_MS}${BUDGET}${APPEND_FRAMES}
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
export const READ = script(`
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
export const USAGE = script(`${NOW_MS}${SWEEP}
local held = redis.call('HMGET', totals, 'bytes', 'reservedBytes')
local streams = redis.call('ZCARD', running) + redis.call('ZCARD', finished)
return {streams, tonumber(held[1] or '0'), tonumber(held[2] or '0')}
`);

/**
 * Since when this Redis has held every stream made on it: the time of the first stream after it
 * was (re)started empty, or of this call if none was made since. A stream made before it and not
 * found has been lost with the data, not expired. KEYS: the epoch. Answers the time (ms).
 */
export const EPOCH = script(`${NOW_MS}
redis.call('SET', KEYS[1], now, 'NX')
return tonumber(redis.call('GET', KEYS[1]))
`);
