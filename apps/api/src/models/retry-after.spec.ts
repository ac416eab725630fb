import { retryAfterMs } from './retry-after';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('retryAfterMs', () => {
  it('reads Retry-After given in seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), NOW)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': ' 0 ' }), NOW)).toBe(0);
  });

  it('reads Retry-After given as an HTTP date, relative to now', () => {
    const headers = new Headers({ 'retry-after': 'Sun, 01 Jun 2025 12:00:05 GMT' });
    expect(retryAfterMs(headers, NOW)).toBe(5000);
  });

  it('treats an HTTP date already past as "retry now"', () => {
    const headers = new Headers({ 'retry-after': 'Sun, 01 Jun 2025 11:59:00 GMT' });
    expect(retryAfterMs(headers, NOW)).toBe(0);
  });

  it('prefers OpenAI retry-after-ms, which is more precise', () => {
    const headers = new Headers({ 'retry-after-ms': '250', 'retry-after': '1' });
    expect(retryAfterMs(headers, NOW)).toBe(250);
  });

  it('says nothing when the header is absent or unreadable', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '-5' }), NOW)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '1-2' }), NOW)).toBeUndefined();
  });
});
