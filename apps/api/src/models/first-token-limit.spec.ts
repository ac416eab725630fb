import { firstTokenLimit } from './first-token-limit';
import { UpstreamTimeoutError } from './upstream-timeout-error';

describe('firstTokenLimit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts with a first-token timeout once the limit passes without an answer', () => {
    const limit = firstTokenLimit(new AbortController().signal, 50);
    jest.advanceTimersByTime(49);
    expect(limit.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(limit.signal.reason).toEqual(new UpstreamTimeoutError('first-token', 50));
    expect(limit.signal.reason).toMatchObject({ kind: 'first-token', limitMs: 50 });
    limit.release();
  });

  it('stops the clock once some of the answer came', () => {
    const limit = firstTokenLimit(new AbortController().signal, 50);
    limit.answered();
    jest.advanceTimersByTime(1_000);
    expect(limit.signal.aborted).toBe(false);
    limit.release();
  });

  it('never times out without a limit, and aborts with the caller', () => {
    const caller = new AbortController();
    const limit = firstTokenLimit(caller.signal, undefined);
    jest.advanceTimersByTime(3_600_000);
    expect(limit.signal.aborted).toBe(false);
    caller.abort('gone');
    expect(limit.signal.reason).toBe('gone');
  });

  it('lets go of the caller and the clock once released', () => {
    const caller = new AbortController();
    const limit = firstTokenLimit(caller.signal, 50);
    limit.release();
    caller.abort();
    jest.advanceTimersByTime(1_000);
    expect(limit.signal.aborted).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });
});
