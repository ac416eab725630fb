/**
 * The pieces of Lua the stream store's scripts are made of (`redis-stream-scripts.ts`): the
 * server's clock, the byte budget, appending frames, and sweeping expired streams out.
 */

/** How many finished streams past their retention one call drops: a script blocks Redis. */
const SWEEP_BATCH = 1_000;

/**
 * The clock of every script is the server's (`TIME`: seconds and microseconds), never the calling
 * instance's, so instances whose clocks disagree still agree on what has expired.
 */
export const NOW_MS = `
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
export const BUDGET = `
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
export const APPEND_FRAMES = `
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
export const SWEEP = `${BUDGET}
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
