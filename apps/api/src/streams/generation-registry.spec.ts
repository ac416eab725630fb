import type { StreamFrame } from '@tokenstream/stream-contracts';
import { DemoModelProvider } from '../models/demo-model-provider';
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

  it('lets its readers go at once when told they can resume elsewhere, and still drains', async () => {
    const registry = new GenerationRegistry(0);
    const long = demoGeneration('long');
    registry.run(long.generation);
    let letGo = 0;
    const detach = registry.attachReader('long', () => {
      letGo += 1;
      detach();
    });
    const draining = registry.drain(50, 500, true);
    expect(letGo).toBe(1);
    // Its reader moved: the generation is not abandoned (grace 0), it runs to the drain's end.
    await sleep(20);
    expect(long.generation.isRunning).toBe(true);
    await draining;
    expect(long.frames.at(-1)).toMatchObject({ type: 'error', code: 'server_shutting_down' });
  });

  it('counts the readers of every stream read here, generated here or not', () => {
    const registry = new GenerationRegistry(10_000);
    const one = registry.attachReader('elsewhere');
    const two = registry.attachReader('elsewhere');
    expect(registry.readIds()).toEqual(['elsewhere']);
    one();
    one();
    expect(registry.readIds()).toEqual(['elsewhere']);
    two();
    expect(registry.readIds()).toEqual([]);
  });

  describe('what the heartbeat heard', () => {
    it('stops a generation another instance ended, as cancelled', async () => {
      const registry = new GenerationRegistry(10_000);
      const { generation, frames } = demoGeneration();
      registry.run(generation);
      expect(registry.generatingIds()).toEqual(['s']);
      registry.heard(['s', 'unknown'], []);
      await generation.run();
      expect(frames.at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
      await sleep(0);
      expect(registry.generatingIds()).toEqual([]);
    });

    it('keeps a generation read on another instance past its grace period', async () => {
      const registry = new GenerationRegistry(100);
      const { generation } = demoGeneration();
      registry.run(generation);
      registry.attachReader('s')();
      for (let i = 0; i < 5; i++) {
        await sleep(50);
        registry.heard([], ['s']);
      }
      expect(generation.isRunning).toBe(true);
      await sleep(200);
      expect(generation.isRunning).toBe(false);
    });
  });
});
