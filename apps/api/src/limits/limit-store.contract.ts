import { REQUEST_WINDOW_MS, type LimitStore } from './limit-store';
import { msUntilUtcMidnight } from './utc-day';

/** A lease short enough to run out during a test, on the real clock. */
const SHORT_LEASE_MS = 50;

/** A lease no test outlives. */
const LONG_LEASE_MS = 60_000;

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * The behaviour every {@link LimitStore} shares, on the real clock: `create` gives a store with no
 * counters (a fresh one, or one over an emptied database) before each test.
 */
export function describeLimitStore(name: string, create: () => Promise<LimitStore>): void {
  describe(`${name} (LimitStore contract)`, () => {
    let store: LimitStore;

    beforeEach(async () => {
      store = await create();
    });

    describe('concurrency slots', () => {
      it('gives out at most max slots per key, each with its own id', async () => {
        const ids = [
          await store.acquireSlot('alice', 2, LONG_LEASE_MS),
          await store.acquireSlot('alice', 2, LONG_LEASE_MS),
        ];
        expect(ids.every((id) => typeof id === 'string')).toBe(true);
        expect(new Set(ids).size).toBe(2);
        expect(await store.acquireSlot('alice', 2, LONG_LEASE_MS)).toBeUndefined();
        expect(await store.activeSlots('alice')).toBe(2);
      });

      it('gives out one more once one is released, and only one', async () => {
        const first = await store.acquireSlot('alice', 2, LONG_LEASE_MS);
        await store.acquireSlot('alice', 2, LONG_LEASE_MS);
        await store.releaseSlot('alice', first as string);
        expect(await store.activeSlots('alice')).toBe(1);
        expect(await store.acquireSlot('alice', 2, LONG_LEASE_MS)).toEqual(expect.any(String));
        expect(await store.acquireSlot('alice', 2, LONG_LEASE_MS)).toBeUndefined();
      });

      it('ignores the release of a slot it does not hold, so it never counts below zero', async () => {
        const slotId = await store.acquireSlot('alice', 1, LONG_LEASE_MS);
        await store.releaseSlot('alice', slotId as string);
        await store.releaseSlot('alice', slotId as string);
        await store.releaseSlot('alice', 'never-given');
        expect(await store.activeSlots('alice')).toBe(0);
        expect(await store.acquireSlot('alice', 1, LONG_LEASE_MS)).toEqual(expect.any(String));
        expect(await store.acquireSlot('alice', 1, LONG_LEASE_MS)).toBeUndefined();
      });

      it('frees the slot of a lease that ran out, though it was never released', async () => {
        await store.acquireSlot('alice', 1, SHORT_LEASE_MS);
        expect(await store.activeSlots('alice')).toBe(1);
        await sleep(SHORT_LEASE_MS * 2);
        expect(await store.activeSlots('alice')).toBe(0);
        expect(await store.acquireSlot('alice', 1, LONG_LEASE_MS)).toEqual(expect.any(String));
      });

      it('counts each key on its own', async () => {
        await store.acquireSlot('alice', 1, LONG_LEASE_MS);
        expect(await store.acquireSlot('alice', 1, LONG_LEASE_MS)).toBeUndefined();
        expect(await store.acquireSlot('bob', 1, LONG_LEASE_MS)).toEqual(expect.any(String));
        expect(await store.activeSlots('carol')).toBe(0);
      });
    });

    describe('requests in the rolling minute', () => {
      it('refuses past max, saying to retry within the window', async () => {
        for (let i = 0; i < 3; i += 1) {
          expect(await store.recordRequest('alice', 3)).toEqual({ ok: true });
        }
        const refused = await store.recordRequest('alice', 3);
        expect(refused.ok).toBe(false);
        const { retryAfterMs } = refused as { retryAfterMs: number };
        expect(retryAfterMs).toBeGreaterThan(0);
        expect(retryAfterMs).toBeLessThanOrEqual(REQUEST_WINDOW_MS);
      });

      it('does not count refused requests', async () => {
        await store.recordRequest('alice', 2);
        await store.recordRequest('alice', 2);
        for (let i = 0; i < 5; i += 1)
          expect((await store.recordRequest('alice', 2)).ok).toBe(false);
        // Had the refusals counted, a limit of 3 would be far behind; it has room for one.
        expect(await store.recordRequest('alice', 3)).toEqual({ ok: true });
        expect((await store.recordRequest('alice', 3)).ok).toBe(false);
      });

      it('waits for the request max back from the end when the limit is lowered', async () => {
        await store.recordRequest('alice', 2);
        await sleep(200);
        await store.recordRequest('alice', 2);
        const atTwo = (await store.recordRequest('alice', 2)) as { retryAfterMs: number };
        const atOne = (await store.recordRequest('alice', 1)) as { retryAfterMs: number };
        // With a limit of 1 the newer request must leave too, about 200 ms after the older one.
        expect(atOne.retryAfterMs - atTwo.retryAfterMs).toBeGreaterThanOrEqual(100);
        expect(atOne.retryAfterMs).toBeLessThanOrEqual(REQUEST_WINDOW_MS);
      });

      it('counts each key on its own', async () => {
        await store.recordRequest('alice', 1);
        expect((await store.recordRequest('alice', 1)).ok).toBe(false);
        expect(await store.recordRequest('bob', 1)).toEqual({ ok: true });
      });
    });

    describe('tokens per UTC day', () => {
      it('adds up the tokens of the day, per key', async () => {
        await store.addTokens('alice', 120);
        await store.addTokens('alice', 30);
        await store.addTokens('bob', 7);
        expect(await store.tokensToday('alice')).toBe(150);
        expect(await store.tokensToday('bob')).toBe(7);
        expect(await store.tokensToday('carol')).toBe(0);
      });
    });

    describe('admitting a stream at once', () => {
      const limits = { tokensPerDay: 100, concurrentStreams: 2, requestsPerMinute: 3 };

      it('takes a slot and counts a request when every limit has room', async () => {
        const admission = await store.admit('alice', limits, LONG_LEASE_MS);
        expect(admission).toMatchObject({ ok: true, slotId: expect.any(String) });
        expect(await store.activeSlots('alice')).toBe(1);
        // Two more requests fit in the window of three; the slots are both taken after one more.
        await store.admit('alice', limits, LONG_LEASE_MS);
        expect(await store.admit('alice', limits, LONG_LEASE_MS)).toMatchObject({
          ok: false,
          limit: 'concurrentStreams',
        });
      });

      it('holds no slot with no concurrency limit, and counts nothing with no limits', async () => {
        const none = { tokensPerDay: 0, concurrentStreams: 0, requestsPerMinute: 0 };
        expect(await store.admit('alice', none, LONG_LEASE_MS)).toEqual({
          ok: true,
          slotId: undefined,
          standing: {},
        });
        expect(await store.activeSlots('alice')).toBe(0);
      });

      it('refuses a full window with its wait, and keeps no slot for the refused stream', async () => {
        const oneSlotFree = { ...limits, concurrentStreams: 10 };
        for (let i = 0; i < 3; i++) await store.admit('alice', oneSlotFree, LONG_LEASE_MS);
        const refused = await store.admit('alice', oneSlotFree, LONG_LEASE_MS);
        expect(refused).toMatchObject({ ok: false, limit: 'requestsPerMinute' });
        const wait = (refused as { retryAfterMs: number }).retryAfterMs;
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(REQUEST_WINDOW_MS);
        expect(await store.activeSlots('alice')).toBe(3);
      });

      it('refuses once the day’s tokens are used, counting nothing', async () => {
        await store.addTokens('alice', 100);
        expect(await store.admit('alice', limits, LONG_LEASE_MS)).toMatchObject({
          ok: false,
          limit: 'tokensPerDay',
        });
        expect(await store.activeSlots('alice')).toBe(0);
        expect(await store.admit('bob', limits, LONG_LEASE_MS)).toMatchObject({ ok: true });
      });
    });

    describe('where the limits stand at an admission', () => {
      const requestsOnly = { tokensPerDay: 0, concurrentStreams: 0, requestsPerMinute: 3 };
      const tokensOnly = { tokensPerDay: 100, concurrentStreams: 0, requestsPerMinute: 0 };

      it('counts the admitted request in what remains, a full window off while it is the only one', async () => {
        const admission = await store.admit('alice', requestsOnly, LONG_LEASE_MS);
        expect(admission.standing).toEqual({
          requests: { limit: 3, remaining: 2, resetMs: REQUEST_WINDOW_MS },
        });
      });

      it('frees a place when the oldest request leaves the window, and refuses with none left', async () => {
        await store.admit('alice', requestsOnly, LONG_LEASE_MS);
        await sleep(200);
        const second = await store.admit('alice', requestsOnly, LONG_LEASE_MS);
        // The first request, 200 ms older, leaves first (the store's clock and this one's differ
        // by the time a call takes).
        expect(second.standing.requests?.remaining).toBe(1);
        expect(second.standing.requests?.resetMs).toBeLessThanOrEqual(REQUEST_WINDOW_MS - 150);
        expect(second.standing.requests?.resetMs).toBeGreaterThan(REQUEST_WINDOW_MS - 2_000);
        const third = await store.admit('alice', requestsOnly, LONG_LEASE_MS);
        expect(third.standing.requests?.remaining).toBe(0);
        const refused = await store.admit('alice', requestsOnly, LONG_LEASE_MS);
        expect(refused).toMatchObject({ ok: false, limit: 'requestsPerMinute' });
        const { retryAfterMs, standing } = refused as { retryAfterMs: number } & typeof refused;
        expect(standing.requests).toEqual({ limit: 3, remaining: 0, resetMs: retryAfterMs });
        expect(retryAfterMs).toBeLessThanOrEqual(third.standing.requests?.resetMs ?? 0);
      });

      it('leaves a refused request out of what remains, a full window off when none is counted', async () => {
        const oneSlot = { ...requestsOnly, concurrentStreams: 1 };
        await store.acquireSlot('alice', 1, LONG_LEASE_MS);
        const refused = await store.admit('alice', oneSlot, LONG_LEASE_MS);
        expect(refused).toMatchObject({
          ok: false,
          limit: 'concurrentStreams',
          standing: { requests: { limit: 3, remaining: 3, resetMs: REQUEST_WINDOW_MS } },
        });
      });

      it('says the tokens left of the day and the time until midnight UTC, counting none', async () => {
        await store.addTokens('alice', 30);
        const before = msUntilUtcMidnight(Date.now());
        const { standing } = await store.admit('alice', tokensOnly, LONG_LEASE_MS);
        const after = msUntilUtcMidnight(Date.now());
        expect(standing.requests).toBeUndefined();
        expect(standing.tokens).toMatchObject({ limit: 100, remaining: 70 });
        // A store over the network reads its own clock: this machine's, here, within a second.
        expect(standing.tokens?.resetMs).toBeLessThanOrEqual(before + 1_000);
        expect(standing.tokens?.resetMs).toBeGreaterThanOrEqual(after - 1_000);
        expect(await store.tokensToday('alice')).toBe(30);
      });

      it('never says fewer than no tokens left, and refuses with none', async () => {
        await store.addTokens('alice', 150);
        const refused = await store.admit('alice', { ...tokensOnly, requestsPerMinute: 3 }, 1);
        expect(refused).toMatchObject({
          ok: false,
          limit: 'tokensPerDay',
          standing: {
            tokens: { limit: 100, remaining: 0 },
            requests: { limit: 3, remaining: 3, resetMs: REQUEST_WINDOW_MS },
          },
        });
      });

      it('says nothing of a limit that is off', async () => {
        const slotsOnly = { tokensPerDay: 0, concurrentStreams: 2, requestsPerMinute: 0 };
        expect((await store.admit('alice', slotsOnly, LONG_LEASE_MS)).standing).toEqual({});
      });
    });
  });
}
