import { ParseUUIDPipe } from '@nestjs/common';
import { newUuidV7, uuidV7Time } from './uuid-v7';

describe('stream ids', () => {
  it('are version 7 UUIDs that carry the time they were made, to the millisecond', () => {
    const at = Date.UTC(2026, 11, 4, 17, 0, 0, 123);
    const id = newUuidV7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV7Time(id)).toBe(at);
  });

  it('differ however many are made in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newUuidV7(1_000)));
    expect(ids.size).toBe(10_000);
  });

  it('pass the routes’ UUID check', async () => {
    await expect(new ParseUUIDPipe().transform(newUuidV7(), { type: 'param' })).resolves.toEqual(
      expect.any(String),
    );
  });

  it('tell no time for ids of another kind', () => {
    expect(uuidV7Time('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(uuidV7Time('not an id')).toBeUndefined();
  });
});
