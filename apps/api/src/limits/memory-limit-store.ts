import {
  LimitStore,
  REQUEST_WINDOW_MS,
  type Admission,
  type AdmissionLimits,
  type WindowDecision,
} from './limit-store';
import type { LimitStandings } from '../shared/limit-standing';
import type { LimitName } from '../shared/principal-limits';
import { msUntilUtcMidnight, utcDay } from './utc-day';

/**
 * When a window holding `times` (oldest first) has a place under `max` again: when the request
 * `max` back from the end leaves it, which is the oldest unless the limit was lowered below what
 * the window holds; a full window from `now` when it holds none.
 */
function windowFreesInMs(times: readonly number[], max: number, now: number): number {
  if (times.length === 0) return REQUEST_WINDOW_MS;
  return times[Math.max(0, times.length - max)] + REQUEST_WINDOW_MS - now;
}

/**
 * The default store: this process's memory, so each instance counts on its own. Expired entries
 * are dropped when their key is next used, and all of them by a sweep at most once per window, so
 * memory follows the principals active in the last minute (and today, for tokens), not all ever.
 */
export class MemoryLimitStore extends LimitStore {
  /** Each key's slots: id → when its lease runs out. */
  private readonly slots = new Map<string, Map<string, number>>();
  private nextSlotId = 1;
  /** Each key's requests in the window, oldest first; at most `max` of them, as more are refused. */
  private readonly requests = new Map<string, number[]>();
  private readonly tokens = new Map<string, { day: number; used: number }>();
  private lastSweep: number;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.lastSweep = now();
  }

  /** Keys with any counter, for tests and memory checks. */
  get size(): number {
    return new Set([...this.slots.keys(), ...this.requests.keys(), ...this.tokens.keys()]).size;
  }

  async acquireSlot(key: string, max: number, leaseMs: number): Promise<string | undefined> {
    if (this.slotsHeld(key).size >= max) return undefined;
    return this.takeSlot(key, leaseMs);
  }

  async releaseSlot(key: string, slotId: string): Promise<void> {
    const held = this.slots.get(key);
    held?.delete(slotId);
    if (held?.size === 0) this.slots.delete(key);
  }

  async activeSlots(key: string): Promise<number> {
    return this.slotsHeld(key).size;
  }

  async recordRequest(key: string, max: number): Promise<WindowDecision> {
    const now = this.now();
    this.sweep(now);
    const times = this.requestsInWindow(key, now);
    if (times.length >= max) return { ok: false, retryAfterMs: windowFreesInMs(times, max, now) };
    times.push(now);
    this.requests.set(key, times);
    return { ok: true };
  }

  /** Every check, then every count, with no `await` between them: atomic in this process. */
  override async admit(key: string, limits: AdmissionLimits, leaseMs: number): Promise<Admission> {
    const { tokensPerDay, concurrentStreams, requestsPerMinute } = limits;
    const now = this.now();
    this.sweep(now);
    const used = tokensPerDay > 0 ? this.usedToday(key) : 0;
    const times = requestsPerMinute > 0 ? this.requestsInWindow(key, now) : [];
    let refused: LimitName | undefined;
    if (tokensPerDay > 0 && used >= tokensPerDay) refused = 'tokensPerDay';
    else if (concurrentStreams > 0 && this.slotsHeld(key).size >= concurrentStreams) {
      refused = 'concurrentStreams';
    } else if (requestsPerMinute > 0 && times.length >= requestsPerMinute) {
      refused = 'requestsPerMinute';
    }
    let slotId: string | undefined;
    if (refused === undefined) {
      if (concurrentStreams > 0) slotId = this.takeSlot(key, leaseMs);
      if (requestsPerMinute > 0) {
        times.push(now);
        this.requests.set(key, times);
      }
    }
    const standing: LimitStandings = {};
    if (requestsPerMinute > 0) {
      standing.requests = {
        limit: requestsPerMinute,
        remaining: Math.max(0, requestsPerMinute - times.length),
        resetMs: windowFreesInMs(times, requestsPerMinute, now),
      };
    }
    if (tokensPerDay > 0) {
      standing.tokens = {
        limit: tokensPerDay,
        remaining: Math.max(0, tokensPerDay - used),
        resetMs: msUntilUtcMidnight(now),
      };
    }
    if (refused === undefined) return { ok: true, slotId, standing };
    if (refused !== 'requestsPerMinute') return { ok: false, limit: refused, standing };
    const retryAfterMs = windowFreesInMs(times, requestsPerMinute, now);
    return { ok: false, limit: refused, retryAfterMs, standing };
  }

  async addTokens(key: string, tokens: number): Promise<void> {
    const now = this.now();
    this.sweep(now);
    this.tokens.set(key, { day: utcDay(now), used: this.usedToday(key) + tokens });
  }

  async tokensToday(key: string): Promise<number> {
    return this.usedToday(key);
  }

  /** Takes a slot for `key`, leased for `leaseMs`, whether or not `key` is at its max. */
  private takeSlot(key: string, leaseMs: number): string {
    const held = this.slotsHeld(key);
    const slotId = String(this.nextSlotId++);
    held.set(slotId, this.now() + leaseMs);
    this.slots.set(key, held);
    return slotId;
  }

  /** `key`'s slots whose lease has not run out, expired ones dropped. */
  private slotsHeld(key: string): Map<string, number> {
    const held = this.slots.get(key) ?? new Map<string, number>();
    const now = this.now();
    for (const [slotId, until] of held) if (until <= now) held.delete(slotId);
    if (held.size === 0) this.slots.delete(key);
    return held;
  }

  private usedToday(key: string): number {
    const entry = this.tokens.get(key);
    if (!entry) return 0;
    if (entry.day === utcDay(this.now())) return entry.used;
    this.tokens.delete(key);
    return 0;
  }

  /** `key`'s requests still in the window, older ones dropped; the key is forgotten once none are. */
  private requestsInWindow(key: string, now: number): number[] {
    const times = this.requests.get(key) ?? [];
    const firstInWindow = times.findIndex((time) => time > now - REQUEST_WINDOW_MS);
    const kept = firstInWindow === -1 ? [] : times.slice(firstInWindow);
    if (kept.length === 0) this.requests.delete(key);
    else this.requests.set(key, kept);
    return kept;
  }

  /** Drops every expired entry, at most once per window so that a call stays cheap on average. */
  private sweep(now: number): void {
    if (now - this.lastSweep < REQUEST_WINDOW_MS) return;
    this.lastSweep = now;
    for (const key of [...this.requests.keys()]) this.requestsInWindow(key, now);
    const today = utcDay(now);
    for (const [key, entry] of this.tokens) if (entry.day !== today) this.tokens.delete(key);
  }
}
