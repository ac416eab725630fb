import { expectedHeartbeatMs, MAX_HEARTBEAT_MS, MIN_HEARTBEAT_MS } from './expected-heartbeat';

describe('expectedHeartbeatMs', () => {
  it('believes an announced interval within the api’s own range', () => {
    expect(expectedHeartbeatMs('15000', 5_000)).toBe(15_000);
    expect(expectedHeartbeatMs('10', 5_000)).toBe(10);
    expect(expectedHeartbeatMs('600000', 5_000)).toBe(600_000);
  });

  it.each(['99999999999999', '1e30', 'Infinity', '2147483648'])(
    'holds %s to the longest interval, which a timer can wait for',
    (announced) => {
      expect(expectedHeartbeatMs(announced, 5_000)).toBe(MAX_HEARTBEAT_MS);
      expect(2 * MAX_HEARTBEAT_MS).toBeLessThanOrEqual(2 ** 31 - 1);
    },
  );

  it('holds a positive interval below the shortest to the shortest', () => {
    expect(expectedHeartbeatMs('1', 5_000)).toBe(MIN_HEARTBEAT_MS);
    expect(expectedHeartbeatMs('0.001', 5_000)).toBe(MIN_HEARTBEAT_MS);
  });

  it.each([null, '', '0', '-5', 'NaN', 'soon', '-Infinity'])(
    'takes the fallback for %p, which is no interval',
    (announced) => {
      expect(expectedHeartbeatMs(announced, 5_000)).toBe(5_000);
    },
  );

  it('holds the fallback to the same range, and replaces one that is no interval', () => {
    expect(expectedHeartbeatMs(null, 1e30)).toBe(MAX_HEARTBEAT_MS);
    expect(expectedHeartbeatMs(null, Number.NaN)).toBe(15_000);
    expect(expectedHeartbeatMs('0', -1)).toBe(15_000);
  });
});
