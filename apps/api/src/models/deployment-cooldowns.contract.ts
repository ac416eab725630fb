import type { DeploymentCooldowns } from './deployment-cooldowns';

/** The behaviour every {@link DeploymentCooldowns} shares, run against each implementation. */
export function describeDeploymentCooldowns(
  name: string,
  /** A fresh, empty store, and a second view of the same one (another instance, for Redis). */
  make: () => Promise<{ store: DeploymentCooldowns; other: DeploymentCooldowns }>,
): void {
  describe(`${name} (the DeploymentCooldowns contract)`, () => {
    let store: DeploymentCooldowns;
    let other: DeploymentCooldowns;

    beforeEach(async () => {
      ({ store, other } = await make());
    });

    it('knows of no cooldown at first', async () => {
      expect(await store.cooling(['eu/gpt-4o', 'us/gpt-4o'])).toEqual(new Map());
      expect(await store.cooling([])).toEqual(new Map());
    });

    it('names a cooling deployment with when it is free again, and only that one', async () => {
      const before = Date.now();
      await store.coolDown('eu/gpt-4o', 10_000);
      const cooling = await store.cooling(['eu/gpt-4o', 'us/gpt-4o']);
      expect([...cooling.keys()]).toEqual(['eu/gpt-4o']);
      expect(cooling.get('eu/gpt-4o')).toBeGreaterThanOrEqual(before + 10_000);
      expect(cooling.get('eu/gpt-4o')).toBeLessThanOrEqual(Date.now() + 10_000);
    });

    it('ends a cooldown when its time is up', async () => {
      await store.coolDown('eu/gpt-4o', 50);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await store.cooling(['eu/gpt-4o'])).toEqual(new Map());
    });

    it('keeps the longer of two cooldowns, whichever came first', async () => {
      await store.coolDown('eu/gpt-4o', 60_000);
      await store.coolDown('eu/gpt-4o', 1_000);
      expect((await store.cooling(['eu/gpt-4o'])).get('eu/gpt-4o')).toBeGreaterThan(
        Date.now() + 30_000,
      );
      await store.coolDown('us/gpt-4o', 1_000);
      await store.coolDown('us/gpt-4o', 60_000);
      expect((await store.cooling(['us/gpt-4o'])).get('us/gpt-4o')).toBeGreaterThan(
        Date.now() + 30_000,
      );
    });

    it('is seen the same way through every view of the store', async () => {
      await store.coolDown('eu/gpt-4o', 10_000);
      expect([...(await other.cooling(['eu/gpt-4o', 'us/gpt-4o'])).keys()]).toEqual(['eu/gpt-4o']);
    });
  });
}
