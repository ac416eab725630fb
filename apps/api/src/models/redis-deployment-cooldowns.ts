import type { RedisClient } from '../redis/redis-client';
import { withCommandTimeout } from '../redis/redis-command-timeout';
import { DeploymentCooldowns } from './deployment-cooldowns';

/** Where the cooldowns live in a Redis shared with other uses. */
export const DEFAULT_COOLDOWN_KEY_PREFIX = 'tokenstream:cooldown:';

/**
 * Sets the key to the end of the cooldown (epoch ms), expiring with it, unless it already ends
 * later: two instances that saw the same deployment fail keep the longer wait.
 */
const COOL_DOWN = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current and current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** The cooldowns every instance shares through Redis. */
export class RedisDeploymentCooldowns extends DeploymentCooldowns {
  constructor(
    private readonly redis: RedisClient,
    private readonly options: { commandTimeoutMs: number; keyPrefix?: string },
  ) {
    super();
  }

  async coolDown(deployment: string, forMs: number): Promise<void> {
    const ms = Math.max(1, Math.ceil(forMs));
    await withCommandTimeout(
      this.redis.eval(COOL_DOWN, {
        keys: [this.key(deployment)],
        arguments: [String(Date.now() + ms), String(ms)],
      }),
      this.options.commandTimeoutMs,
    );
  }

  async cooling(deployments: readonly string[]): Promise<Map<string, number>> {
    const cooling = new Map<string, number>();
    if (deployments.length === 0) return cooling;
    const values = await withCommandTimeout(
      this.redis.mGet(deployments.map((deployment) => this.key(deployment))),
      this.options.commandTimeoutMs,
    );
    const now = Date.now();
    deployments.forEach((deployment, index) => {
      const until = Number(values[index]);
      if (values[index] !== null && until > now) cooling.set(deployment, until);
    });
    return cooling;
  }

  private key(deployment: string): string {
    return `${this.options.keyPrefix ?? DEFAULT_COOLDOWN_KEY_PREFIX}${deployment}`;
  }
}
