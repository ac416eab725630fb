import { answersPing, startRedis } from './redis-server';

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('startRedis', () => {
  it('resolves once the server answers on 127.0.0.1, and stop ends it', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await answersPing(portOf(redis.url))).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(await answersPing(portOf(redis.url))).toBe(false);
  });

  it('gives each server its own port', async () => {
    const [first, second] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(first.url).not.toBe(second.url);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('says what is missing when the server binary is not there', async () => {
    const saved = process.env['REDIS_SERVER'];
    process.env['REDIS_SERVER'] = '/nonexistent/redis-server';
    try {
      await expect(startRedis()).rejects.toThrow(/nonexistent\/redis-server is missing/);
    } finally {
      if (saved === undefined) delete process.env['REDIS_SERVER'];
      else process.env['REDIS_SERVER'] = saved;
    }
  });
});
