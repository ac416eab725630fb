import type { StreamFrame } from '@tokenstream/stream-contracts';
import { APIConnectionError, RateLimitError } from 'openai';
import { ModelEvent, ModelProvider, ModelRequest } from '../models/model-provider';
import { Generation } from './generation';
import type { StreamOutcome } from './stream-stats';
import { ScriptedModelProvider } from '../models/testing/model-replies';

/** A provider that plays a script: events to yield, then optionally an error to throw. */
class ScriptedProvider extends ScriptedModelProvider {
  readonly kind = 'demo' as const;
  signal: AbortSignal | undefined;

  constructor(
    private readonly events: ModelEvent[],
    private readonly failure?: unknown,
    private readonly waitForAbortAfter?: number,
  ) {
    super();
  }

  protected async *script(_request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent> {
    this.signal = signal;
    for (const [index, event] of this.events.entries()) {
      if (index === this.waitForAbortAfter) {
        if (!signal.aborted) {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        }
        return;
      }
      yield event;
    }
    if (this.failure) throw this.failure;
  }
}

function run(
  provider: ModelProvider,
  act?: (generation: Generation, frames: StreamFrame[]) => void,
) {
  const frames: StreamFrame[] = [];
  const outcomes: StreamOutcome[] = [];
  const generation = new Generation('s-1', { model: 'm', messages: [] }, provider, {
    onFrame: (frame) => {
      frames.push(frame);
      act?.(generation, frames);
    },
    onEnd: (outcome) => void outcomes.push(outcome),
  });
  return generation.run().then(() => ({ frames, outcomes }));
}

const hello: ModelEvent[] = [
  { type: 'delta', text: 'Hel' },
  { type: 'delta', text: 'lo' },
];

describe('Generation', () => {
  it('maps a provider reply to start, text-deltas and finish with usage, ending once', async () => {
    const usage = { promptTokens: 3, completionTokens: 2, totalTokens: 5 };
    const { frames, outcomes } = await run(
      new ScriptedProvider([...hello, { type: 'finish', finishReason: 'length', usage }]),
    );
    expect(frames).toEqual([
      { type: 'start', streamId: 's-1', model: 'm' },
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', delta: 'lo' },
      { type: 'finish', finishReason: 'length', usage },
    ]);
    expect(outcomes).toEqual([
      { kind: 'finished', finishReason: 'length', interruptedBy: undefined },
    ]);
  });

  it('ends with a safe, typed error frame when the upstream fails mid-reply', async () => {
    const failure = new RateLimitError(
      429,
      { message: 'secret quota details' },
      undefined,
      new Headers(),
    );
    const { frames, outcomes } = await run(new ScriptedProvider(hello, failure));
    expect(frames.at(-1)).toEqual({
      type: 'error',
      code: 'upstream_rate_limited',
      message: expect.not.stringContaining('secret'),
      retryable: true,
    });
    expect(outcomes).toEqual([
      { kind: 'failed', code: 'upstream_rate_limited', interruptedBy: undefined },
    ]);
  });

  it('reports a lost upstream connection as retryable upstream_unavailable', async () => {
    const { frames } = await run(
      new ScriptedProvider([], new APIConnectionError({ message: 'x' })),
    );
    expect(frames.at(-1)).toMatchObject({ code: 'upstream_unavailable', retryable: true });
  });

  it('never leaks an unexpected error message to the user', async () => {
    const { frames } = await run(
      new ScriptedProvider([], new Error('at /srv/app.js:12 password=x')),
    );
    expect(frames.at(-1)).toEqual({
      type: 'error',
      code: 'internal_error',
      message: 'Something went wrong while generating the reply.',
      retryable: true,
    });
  });

  it('treats a provider that ends without finishing as a failure, not a success', async () => {
    const { frames } = await run(new ScriptedProvider(hello));
    expect(frames.at(-1)).toMatchObject({ type: 'error' });
  });

  it.each(['stop'] as const)(
    'aborts the provider and ends with finish: cancelled on %s',
    async (reason) => {
      const provider = new ScriptedProvider([...hello, ...hello], undefined, 2);
      const { frames, outcomes } = await run(provider, (generation, seen) => {
        if (seen.length === 3) generation.interrupt(reason);
      });
      expect(provider.signal?.aborted).toBe(true);
      expect(frames.map((frame) => frame.type)).toEqual([
        'start',
        'text-delta',
        'text-delta',
        'finish',
      ]);
      expect(frames.at(-1)).toEqual({ type: 'finish', finishReason: 'cancelled' });
      expect(outcomes).toEqual([
        { kind: 'finished', finishReason: 'cancelled', interruptedBy: reason },
      ]);
    },
  );

  it('aborts the provider and ends with a retryable stream_abandoned error when nobody came back', async () => {
    const provider = new ScriptedProvider([...hello, ...hello], undefined, 2);
    const { frames, outcomes } = await run(provider, (generation, seen) => {
      if (seen.length === 3) generation.interrupt('abandoned');
    });
    expect(provider.signal?.aborted).toBe(true);
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'stream_abandoned',
      retryable: true,
    });
    expect(outcomes).toEqual([
      { kind: 'failed', code: 'stream_abandoned', interruptedBy: 'abandoned' },
    ]);
  });

  it('ends with a non-retryable reply_too_large error when the reply outgrows its limit', async () => {
    const provider = new ScriptedProvider([...hello, ...hello], undefined, 2);
    const { frames } = await run(provider, (generation, seen) => {
      if (seen.length === 3) generation.interrupt('too-large');
    });
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'reply_too_large',
      retryable: false,
    });
  });

  it('ignores an interrupt once it has ended, so it ends exactly once', async () => {
    const done: StreamFrame[] = [];
    const generation = new Generation(
      's-2',
      { model: 'm', messages: [] },
      new ScriptedProvider([{ type: 'finish', finishReason: 'stop' }]),
      { onFrame: (frame) => done.push(frame), onEnd: () => undefined },
    );
    await generation.run();
    generation.interrupt('stop');
    expect(generation.isRunning).toBe(false);
    expect(done.map((frame) => frame.type)).toEqual(['start', 'finish']);
  });

  it('ends with a retryable server_shutting_down frame when the server shuts down', async () => {
    const provider = new ScriptedProvider([...hello, ...hello], undefined, 2);
    const { frames, outcomes } = await run(provider, (generation, seen) => {
      if (seen.length === 3) generation.interrupt('shutdown');
    });
    expect(provider.signal?.aborted).toBe(true);
    expect(frames.at(-1)).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
      retryable: true,
    });
    expect(outcomes).toHaveLength(1);
  });
});
