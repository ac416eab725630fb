import { LimitStore, REQUEST_WINDOW_MS, type WindowDecision } from './limit-store';
import { utcDay } from './utc-day';

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
    const held = this.slotsHeld(key);
    if (held.size >= max) return undefined;
    const slotId = String(this.nextSlotId++);
    held.set(slotId, this.now() + leaseMs);
    this.slots.set(key, held);
    return slotId;
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
    if (times.length >= max) {
      // The request that frees a place is the one `max` back from the end: with a lowered limit
      // there may be more than `max` in the window.
      return { ok: false, retryAfterMs: times[times.length - max] + REQUEST_WINDOW_MS - now };
    }
    times.push(now);
    this.requests.set(key, times);
    return { ok: true };
  }

  async addTokens(key: string, tokens: number): Promise<void> {
    const now = this.now();
    this.sweep(now);
    this.tokens.set(key, { day: utcDay(now), used: this.usedToday(key) + tokens });
  }

  async tokensToday(key: string): Promise<number> {
    return this.usedToday(key);
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
