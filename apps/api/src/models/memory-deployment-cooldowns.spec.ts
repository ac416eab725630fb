import { describeDeploymentCooldowns } from './deployment-cooldowns.contract';
import { MemoryDeploymentCooldowns } from './deployment-cooldowns';

describeDeploymentCooldowns('MemoryDeploymentCooldowns', async () => {
  // One instance: its only view is itself.
  const store = new MemoryDeploymentCooldowns();
  return { store, other: store };
});
