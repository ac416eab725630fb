import { startRedis, type RedisServer } from '@tokenstream/e2e-support';
import { createClient } from 'redis';
import { describeDeploymentCooldowns } from './deployment-cooldowns.contract';
import { RedisDeploymentCooldowns } from './redis-deployment-cooldowns';

function connect(url: string) {
  return createClient({ url }).connect();
}

describe('RedisDeploymentCooldowns', () => {
  let server: RedisServer;
  /** Two connections, as two api instances would hold. */
  let clients: Awaited<ReturnType<typeof connect>>[] = [];
  let run = 0;

  beforeAll(async () => {
    server = await startRedis();
    clients = await Promise.all([connect(server.url), connect(server.url)]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await server?.stop();
  });

  describeDeploymentCooldowns('RedisDeploymentCooldowns', async () => {
    // A prefix per test: each starts from an empty store on the one server.
    const keyPrefix = `test:${++run}:cooldown:`;
    const options = { commandTimeoutMs: 1_000, keyPrefix };
    return {
      store: new RedisDeploymentCooldowns(clients[0], options),
      other: new RedisDeploymentCooldowns(clients[1], options),
    };
  });
});
