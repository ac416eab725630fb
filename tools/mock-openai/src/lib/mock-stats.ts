import type { ChatCompletionRequestBody } from './chat-request';

/** The last chat completions request, as the mock received it. */
export interface RecordedRequest {
  /** Parsed JSON body, e.g. `body.model`, `body.temperature`, `body.stream_options`. */
  body: ChatCompletionRequestBody;
  /** Raw Authorization header, e.g. `Bearer sk-test`. */
  authorization: string | undefined;
}

/** Counters since start or the last reset(). */
export interface MockStats {
  /** Every POST /v1/chat/completions, including the ones answered with an error. */
  requests: number;
  /** Streaming responses that got their 200 headers. */
  streamsStarted: number;
  /** Streams that reached `data: [DONE]`. */
  streamsCompleted: number;
  /** Streams the client closed before the mock finished writing them. */
  streamsAborted: number;
  /**
   * Streams a `cut` or `malformed` fault ended. Every started stream ends as exactly one of
   * completed, aborted or faulted, so the three fall short of `streamsStarted` by those still running.
   */
  streamsFaulted: number;
  /** Content chunks written, over all streams. */
  chunksSent: number;
  /** Requests a `status`, `cut` or `malformed` fault was applied to. */
  faultsInjected: number;
  /** Undefined until a request with a JSON-object body arrives. */
  lastRequest: RecordedRequest | undefined;
}

interface Waiter {
  check(): void;
  fail(error: Error): void;
}

function emptyStats(): MockStats {
  return {
    requests: 0,
    streamsStarted: 0,
    streamsCompleted: 0,
    streamsAborted: 0,
    streamsFaulted: 0,
    chunksSent: 0,
    faultsInjected: 0,
    lastRequest: undefined,
  };
}

/** Holds the counters and wakes up waitFor() callers whenever they change. */
export class StatsTracker {
  private stats = emptyStats();
  private readonly waiters = new Set<Waiter>();

  /** A copy, so callers can keep it as a before/after snapshot. */
  snapshot(): MockStats {
    const { lastRequest } = this.stats;
    return { ...this.stats, lastRequest: lastRequest && structuredClone(lastRequest) };
  }

  /** Applies `change` to the live counters and re-checks every waiter. */
  update(change: (stats: MockStats) => void): void {
    change(this.stats);
    this.notify();
  }

  /** Counters back to zero. */
  reset(): void {
    this.stats = emptyStats();
    this.notify();
  }

  /** Resolves with the first snapshot satisfying `predicate`; rejects after `timeoutMs` showing the stats. */
  waitFor(predicate: (stats: MockStats) => boolean, timeoutMs = 5000): Promise<MockStats> {
    return new Promise<MockStats>((resolve, reject) => {
      const settle = (done: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        done();
      };
      const waiter: Waiter = {
        check: () => {
          const snapshot = this.snapshot();
          let satisfied: boolean;
          try {
            satisfied = predicate(snapshot);
          } catch (error) {
            settle(() => reject(error instanceof Error ? error : new Error(String(error))));
            return;
          }
          if (satisfied) settle(() => resolve(snapshot));
        },
        fail: (error) => settle(() => reject(error)),
      };
      const timer = setTimeout(() => {
        waiter.fail(
          new Error(
            `waitFor: condition not met within ${timeoutMs} ms; stats: ${JSON.stringify(this.snapshot())}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  /** Rejects every pending waitFor(), so a test awaiting a closed mock fails now rather than at its timeout. */
  dispose(reason: string): void {
    for (const waiter of [...this.waiters]) waiter.fail(new Error(`waitFor: ${reason}`));
  }

  private notify(): void {
    // Copied because a satisfied waiter removes itself while we iterate.
    for (const waiter of [...this.waiters]) waiter.check();
  }
}
