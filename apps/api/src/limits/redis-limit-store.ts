import { createHash, randomUUID } from 'node:crypto';
import {
  LimitStore,
  REQUEST_WINDOW_MS,
  type Admission,
  type AdmissionLimits,
  type WindowDecision,
} from './limit-store';
import type { LimitStandings } from '../shared/limit-standing';
import type { LimitName } from '../shared/principal-limits';
import {
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  RedisCommandTimeoutError,
  withCommandTimeout,
} from '../redis/redis-command-timeout';

/** Where the store's keys live unless told: one prefix, so they are easy to find and to drop. */
export const DEFAULT_LIMIT_KEY_PREFIX = 'tokenstream:limits:';

/**
 * How long a day's token counter outlives its UTC day. Nothing reads it after midnight (the next
 * day has its own key); the margin only lets an operator still see yesterday's total.
 */
const TOKENS_KEPT_AFTER_DAY_MS = 3_600_000;

/** What a script's arguments look like to node-redis. */
interface ScriptArguments {
  keys: string[];
  arguments: string[];
}

/**
 * The part of a node-redis client (`RedisClientType`) the store uses, so that any client, with or
 * without modules, will do.
 */
export interface LimitRedisClient {
  eval(script: string, options: ScriptArguments): Promise<unknown>;
  evalSha(sha1: string, options: ScriptArguments): Promise<unknown>;
  zRem(key: string, member: string): Promise<unknown>;
}

/** A Lua script, sent by its SHA1 and by its text the first time a server has not seen it. */
interface Script {
  source: string;
  sha1: string;
}

function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * Every script reads the time from the server (`TIME`: seconds and microseconds), never from the
 * instance calling it, so the instances' clocks may disagree without moving anyone's limits.
 */
const NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/** KEYS: the slots. Returns how many leases have not run out. */
const ACTIVE_SLOTS = script(`${NOW_MS}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`);

/**
 * The UTC day of `now`, as `utcDay` computes it (neither JavaScript nor Redis time has leap
 * seconds), and that day's token counter: the key `stem` names, with `:<day>` appended.
 */
const today = (stem: string) => `
local day_ms = 86400000
local day = math.floor(now / day_ms)
local counter = ${stem} .. ':' .. day
`;

/** KEYS: the token counters' stem. ARGV: tokens, how long past its day a counter is kept (ms). */
const ADD_TOKENS = script(`${NOW_MS}${today('KEYS[1]')}
redis.call('INCRBY', counter, ARGV[1])
redis.call('PEXPIREAT', counter, (day + 1) * day_ms + tonumber(ARGV[2]))
`);

/** KEYS: the token counters' stem. Returns today's tokens. */
const TOKENS_TODAY = script(`${NOW_MS}${today('KEYS[1]')}
return tonumber(redis.call('GET', counter) or '0')
`);

/**
 * One stream's whole admission in one round trip: every check first, then every count, so a
 * refusal counts nothing; then where the request and token limits stand, admitted or not. KEYS:
 * the slots, the requests, the token counters' stem. ARGV: tokens per day, concurrent streams,
 * requests per window (0: no limit), lease (ms), slot id, request id, window (ms). Returns
 * {refusal, requests left, ms until the window frees a place, tokens left, ms until the UTC day
 * ends}: refusal 0 when admitted, 1 over today's tokens, 2 with every slot taken, 3 with the
 * window full (then the wait is when to retry); -1 for the standing of a limit that is off.
 */
const ADMIT = script(`${NOW_MS}
local tokens_max = tonumber(ARGV[1])
local slots_max = tonumber(ARGV[2])
local requests_max = tonumber(ARGV[3])
local window = tonumber(ARGV[7])
local refusal = 0
local tokens_left, day_left = -1, -1
if tokens_max > 0 then
  ${today('KEYS[3]')}
  local used = tonumber(redis.call('GET', counter) or '0')
  if used >= tokens_max then refusal = 1 end
  tokens_left = math.max(0, tokens_max - used)
  day_left = (day + 1) * day_ms - now
end
if refusal == 0 and slots_max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= slots_max then refusal = 2 end
end
local count = 0
if requests_max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  count = redis.call('ZCARD', KEYS[2])
  if refusal == 0 and count >= requests_max then refusal = 3 end
end
if refusal == 0 then
  if slots_max > 0 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[5])
    local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', KEYS[1], last[2])
  end
  if requests_max > 0 then
    redis.call('ZADD', KEYS[2], now, ARGV[6])
    redis.call('PEXPIRE', KEYS[2], window)
    count = count + 1
  end
end
local requests_left, window_frees = -1, -1
if requests_max > 0 then
  requests_left = math.max(0, requests_max - count)
  window_frees = window
  if count > 0 then
    -- The request max back from the end frees a place: the oldest, unless the limit was lowered
    -- below what the window holds.
    local first = math.max(0, count - requests_max)
    local frees = redis.call('ZRANGE', KEYS[2], first, first, 'WITHSCORES')
    window_frees = tonumber(frees[2]) + window - now
  end
end
return {refusal, requests_left, window_frees, tokens_left, day_left}
`);

/** How a {@link RedisLimitStore} names its keys and how long it waits for Redis. */
export interface RedisLimitStoreOptions {
  /** Where the store's keys live ({@link DEFAULT_LIMIT_KEY_PREFIX} unless told). */
  prefix?: string;
  /** How long any one call may wait for Redis before it fails ({@link RedisCommandTimeoutError}). */
  commandTimeoutMs?: number;
}

/** Limits with `limit` at `max` and no other. */
function only(limit: LimitName, max: number): AdmissionLimits {
  return { tokensPerDay: 0, concurrentStreams: 0, requestsPerMinute: 0, [limit]: max };
}

/** What {@link ADMIT}'s first answer means. */
const ADMIT_REFUSALS: Record<number, LimitName> = {
  1: 'tokensPerDay',
  2: 'concurrentStreams',
  3: 'requestsPerMinute',
};

/**
 * Limits shared by every instance through Redis. Each check-and-count is one Lua script, so it is
 * atomic across instances, and runs on the server's clock. Keys expire by themselves: slots with
 * their longest lease, requests a window after the last, tokens an hour after their UTC day.
 *
 * Every call gives up after `commandTimeoutMs` with a {@link RedisCommandTimeoutError}, so a
 * connected but stalled Redis delays a new stream by that much at most (the limiter then fails
 * open). Giving up does not take the command back: Redis may still run it when it wakes.
 */
export class RedisLimitStore extends LimitStore {
  private readonly prefix: string;
  private readonly commandTimeoutMs: number;

  /** `client` must be connected; the store never connects, quits or closes it. */
  constructor(
    private readonly client: LimitRedisClient,
    options: RedisLimitStoreOptions = {},
  ) {
    super();
    this.prefix = options.prefix ?? DEFAULT_LIMIT_KEY_PREFIX;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
  }

  override async admit(key: string, limits: AdmissionLimits, leaseMs: number): Promise<Admission> {
    const slotId = randomUUID();
    const slots = this.keyOf('slots', key);
    const admitting = this.evaluate(
      ADMIT,
      [slots, this.keyOf('requests', key), this.keyOf('tokens', key)],
      String(limits.tokensPerDay),
      String(limits.concurrentStreams),
      String(limits.requestsPerMinute),
      String(Math.ceil(leaseMs)),
      slotId,
      randomUUID(),
      String(REQUEST_WINDOW_MS),
    );
    let answer: number[];
    try {
      answer = (await withCommandTimeout(admitting, this.commandTimeoutMs)) as number[];
    } catch (error) {
      if (error instanceof RedisCommandTimeoutError) {
        // The stream goes ahead uncounted, but the script may still run once Redis wakes up and
        // take a slot nobody will release: give it back then, or it would count against the
        // principal for its whole lease. (The request it counts in the window stays: the stream
        // did start.) If that release fails too, the slot still ends with its lease.
        void admitting
          .then(async (late) => {
            const admitted = ADMIT_REFUSALS[Number((late as number[])[0])] === undefined;
            if (admitted && limits.concurrentStreams > 0) await this.client.zRem(slots, slotId);
          })
          .catch(() => undefined);
      }
      throw error;
    }
    const [refusal, requestsLeft, windowFreesMs, tokensLeft, dayLeftMs] = answer.map(Number);
    const standing: LimitStandings = {};
    if (limits.requestsPerMinute > 0) {
      const limit = limits.requestsPerMinute;
      standing.requests = { limit, remaining: requestsLeft, resetMs: windowFreesMs };
    }
    if (limits.tokensPerDay > 0) {
      standing.tokens = { limit: limits.tokensPerDay, remaining: tokensLeft, resetMs: dayLeftMs };
    }
    const limit = ADMIT_REFUSALS[refusal];
    if (limit === undefined) {
      return { ok: true, slotId: limits.concurrentStreams > 0 ? slotId : undefined, standing };
    }
    return limit === 'requestsPerMinute'
      ? { ok: false, limit, retryAfterMs: windowFreesMs, standing }
      : { ok: false, limit, standing };
  }

  /** One limit alone is an admission under that limit only: the same script, the same rules. */
  async acquireSlot(key: string, max: number, leaseMs: number): Promise<string | undefined> {
    const admission = await this.admit(key, only('concurrentStreams', max), leaseMs);
    return admission.ok ? admission.slotId : undefined;
  }

  async releaseSlot(key: string, slotId: string): Promise<void> {
    await this.bounded(this.client.zRem(this.keyOf('slots', key), slotId));
  }

  async activeSlots(key: string): Promise<number> {
    return Number(await this.run(ACTIVE_SLOTS, this.keyOf('slots', key)));
  }

  async recordRequest(key: string, max: number): Promise<WindowDecision> {
    const admission = await this.admit(key, only('requestsPerMinute', max), 0);
    return admission.ok ? { ok: true } : { ok: false, retryAfterMs: admission.retryAfterMs ?? 0 };
  }

  /** Fractions of a token round up: Redis counts whole ones. */
  async addTokens(key: string, tokens: number): Promise<void> {
    const kept = String(TOKENS_KEPT_AFTER_DAY_MS);
    await this.run(ADD_TOKENS, this.keyOf('tokens', key), String(Math.ceil(tokens)), kept);
  }

  async tokensToday(key: string): Promise<number> {
    return Number(await this.run(TOKENS_TODAY, this.keyOf('tokens', key)));
  }

  /**
   * `prefix` + kind + the principal id in base64url: ids may hold any character (`:`, `{`,
   * spaces), and encoded they can neither collide nor be read as a hash tag or another kind's key.
   */
  private keyOf(kind: 'slots' | 'requests' | 'tokens', principal: string): string {
    return `${this.prefix}${kind}:${Buffer.from(principal, 'utf8').toString('base64url')}`;
  }

  /** Runs `script`, giving up after `commandTimeoutMs`. */
  private run(script: Script, keys: string | string[], ...args: string[]): Promise<unknown> {
    return this.bounded(this.evaluate(script, keys, ...args));
  }

  private bounded<T>(command: Promise<T>): Promise<T> {
    return withCommandTimeout(command, this.commandTimeoutMs);
  }

  /** Runs `script` by its SHA1, sending its text only when the server has not cached it. */
  private async evaluate(
    script: Script,
    keys: string | string[],
    ...args: string[]
  ): Promise<unknown> {
    const options = { keys: Array.isArray(keys) ? keys : [keys], arguments: args };
    try {
      return await this.client.evalSha(script.sha1, options);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.client.eval(script.source, options);
    }
  }
}
