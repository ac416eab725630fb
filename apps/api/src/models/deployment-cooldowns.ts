/**
 * Which deployments are being left alone, and until when: a deployment that answered `429` or a
 * `5xx`, or timed out, is skipped by every request until its cooldown ends. In memory it is this
 * instance's view; through Redis every instance avoids it.
 */
export abstract class DeploymentCooldowns {
  /** Leaves `deployment` alone for `forMs` from now; a cooldown already running longer is kept. */
  abstract coolDown(deployment: string, forMs: number): Promise<void>;

  /** Those of `deployments` cooling down, each with when (epoch ms) it may be used again. */
  abstract cooling(deployments: readonly string[]): Promise<Map<string, number>>;
}

/** One instance's cooldowns. */
export class MemoryDeploymentCooldowns extends DeploymentCooldowns {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  async coolDown(deployment: string, forMs: number): Promise<void> {
    const until = this.now() + forMs;
    if ((this.until.get(deployment) ?? 0) < until) this.until.set(deployment, until);
  }

  async cooling(deployments: readonly string[]): Promise<Map<string, number>> {
    const now = this.now();
    const cooling = new Map<string, number>();
    for (const deployment of deployments) {
      const until = this.until.get(deployment);
      if (until === undefined) continue;
      if (until > now) cooling.set(deployment, until);
      else this.until.delete(deployment); // ended: the map holds only running cooldowns
    }
    return cooling;
  }
}
