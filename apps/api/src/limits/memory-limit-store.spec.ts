import { REQUEST_WINDOW_MS } from './limit-store';
import { MemoryLimitStore } from './memory-limit-store';

/** A clock the test moves by hand. */
function manualClock(start: string) {
  let now = Date.parse(start);
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    set: (iso: string) => (now = Date.parse(iso)),
  };
}

describe('MemoryLimitStore', () => {
  describe('concurrency slots', () => {
    it('gives out at most max slots per key, and one more once one is released', () => {
      const store = new MemoryLimitStore();
      expect(store.acquireSlot('alice', 2)).toBe(true);
      expect(store.acquireSlot('alice', 2)).toBe(true);
      expect(store.acquireSlot('alice', 2)).toBe(false);
      expect(store.acquireSlot('bob', 2)).toBe(true);
      expect(store.activeSlots('alice')).toBe(2);
      store.releaseSlot('alice');
      expect(store.acquireSlot('alice', 2)).toBe(true);
      expect(store.acquireSlot('alice', 2)).toBe(false);
    });

    it('forgets a key whose last slot is released, and never counts below zero', () => {
      const store = new MemoryLimitStore();
      store.acquireSlot('alice', 1);
      store.releaseSlot('alice');
      store.releaseSlot('alice');
      expect(store.activeSlots('alice')).toBe(0);
      expect(store.size).toBe(0);
      expect(store.acquireSlot('alice', 1)).toBe(true);
      expect(store.acquireSlot('alice', 1)).toBe(false);
    });
  });

  describe('requests in the rolling minute', () => {
    it('refuses past max, saying when the oldest request leaves the window', () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      expect(store.recordRequest('alice', 3)).toEqual({ ok: true });
      clock.advance(10_000);
      expect(store.recordRequest('alice', 3)).toEqual({ ok: true });
      clock.advance(10_000);
      expect(store.recordRequest('alice', 3)).toEqual({ ok: true });
      clock.advance(10_000);
      expect(store.recordRequest('alice', 3)).toEqual({ ok: false, retryAfterMs: 30_000 });
      expect(store.recordRequest('bob', 3)).toEqual({ ok: true });
    });

    it('does not count refused requests, so waiting as told is enough', () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      store.recordRequest('alice', 1);
      for (let i = 0; i < 5; i += 1) {
        clock.advance(1_000);
        expect(store.recordRequest('alice', 1).ok).toBe(false);
      }
      clock.set('2025-03-01T12:00:59.999Z');
      expect(store.recordRequest('alice', 1)).toEqual({ ok: false, retryAfterMs: 1 });
      clock.set('2025-03-01T12:01:00Z');
      expect(store.recordRequest('alice', 1)).toEqual({ ok: true });
    });

    it('rolls: a place frees up as each request turns a minute old, not all at once', () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      store.recordRequest('alice', 2);
      clock.advance(40_000);
      store.recordRequest('alice', 2);
      clock.advance(20_000);
      expect(store.recordRequest('alice', 2)).toEqual({ ok: true });
      expect(store.recordRequest('alice', 2)).toEqual({ ok: false, retryAfterMs: 40_000 });
    });

    it('waits for enough requests to leave when the limit is lower than what the window holds', () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      for (let i = 0; i < 3; i += 1) {
        store.recordRequest('alice', 3);
        clock.advance(10_000);
      }
      // Three requests, at 0, 10 and 20 s; with a limit of 1, the one at 20 s must leave first.
      expect(store.recordRequest('alice', 1)).toEqual({ ok: false, retryAfterMs: 50_000 });
    });

    it('forgets keys whose requests all left the window, even if they never call again', () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      for (let i = 0; i < 100; i += 1) store.recordRequest(`caller-${i}`, 5);
      expect(store.size).toBe(100);
      clock.advance(REQUEST_WINDOW_MS);
      store.recordRequest('someone-else', 5);
      expect(store.size).toBe(1);
    });
  });

  describe('tokens per UTC day', () => {
    it('adds up the tokens of the day, per key', () => {
      const store = new MemoryLimitStore(manualClock('2025-03-01T08:00:00Z').now);
      store.addTokens('alice', 120);
      store.addTokens('alice', 30);
      store.addTokens('bob', 7);
      expect(store.tokensToday('alice')).toBe(150);
      expect(store.tokensToday('bob')).toBe(7);
      expect(store.tokensToday('carol')).toBe(0);
    });

    it('starts again from zero at midnight UTC, whatever the local time zone', () => {
      const clock = manualClock('2025-03-01T23:59:59.999Z');
      const store = new MemoryLimitStore(clock.now);
      store.addTokens('alice', 500);
      expect(store.tokensToday('alice')).toBe(500);
      clock.set('2025-03-02T00:00:00Z');
      expect(store.tokensToday('alice')).toBe(0);
      store.addTokens('alice', 3);
      expect(store.tokensToday('alice')).toBe(3);
    });

    it("drops yesterday's counters of keys that do not come back", () => {
      const clock = manualClock('2025-03-01T22:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      for (let i = 0; i < 50; i += 1) store.addTokens(`caller-${i}`, 10);
      expect(store.size).toBe(50);
      clock.set('2025-03-02T00:30:00Z');
      store.addTokens('early-bird', 1);
      expect(store.size).toBe(1);
    });
  });
});
