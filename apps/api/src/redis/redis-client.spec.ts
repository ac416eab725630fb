import { startRedis, type RedisServer } from '@tokenstream/e2e-support';
import { connectRedis, type RedisClient } from './redis-client';

describe('connectRedis', () => {
  let server: RedisServer;
  let client: RedisClient;

  beforeAll(async () => {
    server = await startRedis();
    client = await connectRedis(server.url);
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  afterEach(() => jest.restoreAllMocks());

  it('arms no timer of node-redis per command: every caller bounds its own', async () => {
    const timeout = jest.spyOn(AbortSignal, 'timeout');
    await Promise.all([client.ping(), client.set('k', 'v'), client.get('k')]);
    expect(timeout).not.toHaveBeenCalled();
  });
});
