import type { StreamFrame } from '@tokenstream/stream-contracts';
import { DemoModelProvider } from '../models/demo-model.provider';
import { Generation } from './generation';
import { GenerationRegistry } from './generation-registry';

/** A real generation on the demo model, slow enough to be interrupted mid-reply. */
function demoGeneration(streamId = 's') {
  const frames: StreamFrame[] = [];
  const generation = new Generation(
    streamId,
    { model: 'demo', messages: [{ role: 'user', content: 'Hi' }] },
    new DemoModelProvider(5),
    { onFrame: (frame) => frames.push(frame), onEnd: () => undefined },
  );
  return { generation, frames };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GenerationRegistry', () => {
  it('keeps generating after the last reader leaves, until the grace period is over', async () => {
    const registry = new GenerationRegistry(150);
    const { generation, frames } = demoGeneration();
    registry.run(generation);
    const detach = registry.attachReader('s');
    await sleep(20);
    detach();
    await sleep(80);
    expect(generation.isRunning).toBe(true);
    await sleep(200);
    expect(generation.isRunning).toBe(false);
    expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'stream_abandoned' });
  });

  it('goes on when a reader comes back within the grace period', async () => {
    const registry = new GenerationRegistry(100);
    const { generation, frames } = demoGeneration();
    registry.run(generation);
    registry.attachReader('s')();
    await sleep(50);
    const detach = registry.attachReader('s');
    await sleep(150);
    expect(generation.isRunning).toBe(true);
    generation.interrupt('stop');
    detach();
    await generation.run();
    expect(frames.at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
  });

  it('cancels at once when the grace period is 0', async () => {
    const registry = new GenerationRegistry(0);
    const { generation } = demoGeneration();
    registry.run(generation);
    registry.attachReader('s')();
    await sleep(10);
    expect(generation.isRunning).toBe(false);
  });

  it('cancels a generation whose first reader never comes', async () => {
    const registry = new GenerationRegistry(0);
    const { generation } = demoGeneration();
    registry.run(generation);
    await sleep(1_100);
    expect(generation.isRunning).toBe(false);
  });

  it('on drain refuses nothing it runs, lets a short reply finish, and ends a long one as shutting down', async () => {
    const registry = new GenerationRegistry(10_000);
    const long = demoGeneration('long');
    registry.run(long.generation);
    const detach = registry.attachReader('long');
    await registry.drain(50, 500);
    expect(registry.isDraining).toBe(true);
    expect(long.frames.at(-1)).toMatchObject({ type: 'error', code: 'server_shutting_down' });
    detach();
  });
});
