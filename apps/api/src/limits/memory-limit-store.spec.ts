import { describeLimitStore } from './limit-store.contract';
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

/** A lease no test outlives. */
const LEASE_MS = 60_000;

describeLimitStore('MemoryLimitStore', async () => new MemoryLimitStore());

describe('MemoryLimitStore', () => {
  describe('concurrency slots', () => {
    it('frees a slot exactly when its lease runs out', async () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      await store.acquireSlot('alice', 1, 5_000);
      clock.advance(4_999);
      expect(await store.acquireSlot('alice', 1, LEASE_MS)).toBeUndefined();
      clock.advance(1);
      expect(await store.activeSlots('alice')).toBe(0);
      expect(await store.acquireSlot('alice', 1, LEASE_MS)).toEqual(expect.any(String));
    });

    it('forgets a key whose last slot is released', async () => {
      const store = new MemoryLimitStore();
      const slotId = await store.acquireSlot('alice', 1, LEASE_MS);
      await store.releaseSlot('alice', slotId as string);
      expect(store.size).toBe(0);
    });
  });

  describe('requests in the rolling minute', () => {
    it('refuses past max, saying when the oldest request leaves the window', async () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      expect(await store.recordRequest('alice', 3)).toEqual({ ok: true });
      clock.advance(10_000);
      expect(await store.recordRequest('alice', 3)).toEqual({ ok: true });
      clock.advance(10_000);
      expect(await store.recordRequest('alice', 3)).toEqual({ ok: true });
      clock.advance(10_000);
      expect(await store.recordRequest('alice', 3)).toEqual({ ok: false, retryAfterMs: 30_000 });
      expect(await store.recordRequest('bob', 3)).toEqual({ ok: true });
    });

    it('does not count refused requests, so waiting as told is enough', async () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      await store.recordRequest('alice', 1);
      for (let i = 0; i < 5; i += 1) {
        clock.advance(1_000);
        expect((await store.recordRequest('alice', 1)).ok).toBe(false);
      }
      clock.set('2025-03-01T12:00:59.999Z');
      expect(await store.recordRequest('alice', 1)).toEqual({ ok: false, retryAfterMs: 1 });
      clock.set('2025-03-01T12:01:00Z');
      expect(await store.recordRequest('alice', 1)).toEqual({ ok: true });
    });

    it('rolls: a place frees up as each request turns a minute old, not all at once', async () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      await store.recordRequest('alice', 2);
      clock.advance(40_000);
      await store.recordRequest('alice', 2);
      clock.advance(20_000);
      expect(await store.recordRequest('alice', 2)).toEqual({ ok: true });
      expect(await store.recordRequest('alice', 2)).toEqual({ ok: false, retryAfterMs: 40_000 });
    });

    it('waits for enough requests to leave when the limit is lower than what the window holds', async () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      for (let i = 0; i < 3; i += 1) {
        await store.recordRequest('alice', 3);
        clock.advance(10_000);
      }
      // Three requests, at 0, 10 and 20 s; with a limit of 1, the one at 20 s must leave first.
      expect(await store.recordRequest('alice', 1)).toEqual({ ok: false, retryAfterMs: 50_000 });
    });

    it('forgets keys whose requests all left the window, even if they never call again', async () => {
      const clock = manualClock('2025-03-01T12:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      for (let i = 0; i < 100; i += 1) await store.recordRequest(`caller-${i}`, 5);
      expect(store.size).toBe(100);
      clock.advance(REQUEST_WINDOW_MS);
      await store.recordRequest('someone-else', 5);
      expect(store.size).toBe(1);
    });
  });

  describe('tokens per UTC day', () => {
    it('starts again from zero at midnight UTC, whatever the local time zone', async () => {
      const clock = manualClock('2025-03-01T23:59:59.999Z');
      const store = new MemoryLimitStore(clock.now);
      await store.addTokens('alice', 500);
      expect(await store.tokensToday('alice')).toBe(500);
      clock.set('2025-03-02T00:00:00Z');
      expect(await store.tokensToday('alice')).toBe(0);
      await store.addTokens('alice', 3);
      expect(await store.tokensToday('alice')).toBe(3);
    });

    it("drops yesterday's counters of keys that do not come back", async () => {
      const clock = manualClock('2025-03-01T22:00:00Z');
      const store = new MemoryLimitStore(clock.now);
      for (let i = 0; i < 50; i += 1) await store.addTokens(`caller-${i}`, 10);
      expect(store.size).toBe(50);
      clock.set('2025-03-02T00:30:00Z');
      await store.addTokens('early-bird', 1);
      expect(store.size).toBe(1);
    });
  });
});
