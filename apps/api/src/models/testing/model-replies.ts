import {
  ModelProvider,
  type ModelEvent,
  type ModelRequest,
  type ModelSink,
} from '../model-provider';

/**
 * The events `provider` pushes for one reply, as an async iterable, for tests that read them one
 * at a time: it ends with the reply, throws its failure, and leaving it early aborts the reply.
 */
export async function* replyEvents(
  provider: ModelProvider,
  request: ModelRequest,
  signal: AbortSignal,
): AsyncGenerator<ModelEvent> {
  const reply = new AbortController();
  const onAbort = () => reply.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const queue: ModelEvent[] = [];
  let end: { error?: unknown; failed: boolean } | undefined;
  let wake: (() => void) | undefined;
  provider.stream(request, reply.signal, {
    next: (event) => {
      queue.push(event);
      wake?.();
    },
    done: () => {
      end = { failed: false };
      wake?.();
    },
    fail: (error) => {
      end = { error, failed: true };
      wake?.();
    },
  });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      if (end?.failed) throw end.error;
      if (end) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!end) reply.abort();
  }
}

/**
 * A provider that plays what `script` yields, for tests' scripted upstreams: each event pushed as
 * it comes, what it throws as the failure; once the signal aborts it ends at once, quietly, as
 * providers do, and what the script yields after is dropped.
 */
export abstract class ScriptedModelProvider extends ModelProvider {
  protected abstract script(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent>;

  stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void {
    let over = false;
    const end = (failure?: { error: unknown }) => {
      if (over) return;
      over = true;
      signal.removeEventListener('abort', onAbort);
      if (failure) sink.fail(failure.error);
      else sink.done();
    };
    const onAbort = () => end();
    if (signal.aborted) return end();
    signal.addEventListener('abort', onAbort, { once: true });
    void (async () => {
      try {
        for await (const event of this.script(request, signal)) {
          if (over) return;
          sink.next(event);
        }
        end();
      } catch (error) {
        end({ error });
      }
    })();
  }
}
