import { utcTime } from './utc-time';

describe('utcTime', () => {
  it('shows an instant in UTC, to the minute or the second', () => {
    expect(utcTime('2026-12-07T22:05:09.123Z')).toBe('2026-12-07 22:05');
    expect(utcTime('2026-12-07T23:05:09+02:00', true)).toBe('2026-12-07 21:05:09');
    expect(utcTime('2026-12-07T00:00:00Z')).toBe('2026-12-07 00:00');
  });
});
