import type { ChatCompletionRequestBody } from './chat-request';
import type { EmbeddingsRequestBody } from './embeddings-request';

/** A recorded JSON body: the fields of a chat completions or embeddings request by name, any other by index. */
export type RecordedRequestBody = ChatCompletionRequestBody & EmbeddingsRequestBody;

/** A chat completions or embeddings request, as the mock received it. */
export interface RecordedRequest {
  /**
   * Where it went: pathname plus query, e.g. `/v1/chat/completions` or
   * `/openai/deployments/gpt4o-eu/chat/completions?api-version=2024-10-21`.
   */
  path: string;
  /** Parsed JSON body, e.g. `body.model`, `body.temperature`, `body.stream_options`, `body.input`. */
  body: RecordedRequestBody;
  /** Raw Authorization header, e.g. `Bearer sk-test`; the Azure client sends none. */
  authorization: string | undefined;
  /** Raw `api-key` header, which the Azure client authenticates with instead of Authorization. */
  apiKey: string | undefined;
  /** Raw W3C `traceparent` header: the trace a traced caller sent the request in. */
  traceparent: string | undefined;
}

/** How many requests `recentRequests` keeps: enough for any exchange a test drives, bounded for a long soak. */
export const RECENT_REQUESTS_LIMIT = 50;

/** Counters since start or the last reset(). */
export interface MockStats {
  /** Every chat completions or embeddings request (OpenAI or Azure path), including the ones answered with an error. */
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
  /** The last RECENT_REQUESTS_LIMIT requests with a JSON-object body, oldest first; `lastRequest` is the last one. */
  recentRequests: RecordedRequest[];
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
    recentRequests: [],
  };
}

/** Holds the counters and wakes up waitFor() callers whenever they change. */
export class StatsTracker {
  private stats = emptyStats();
  private readonly waiters = new Set<Waiter>();

  /** A deep copy, so callers can keep it as a before/after snapshot. */
  snapshot(): MockStats {
    const { lastRequest, recentRequests } = this.stats;
    return {
      ...this.stats,
      // Cloned apart, so changing one in a snapshot cannot change the other through a shared object.
      lastRequest: lastRequest && structuredClone(lastRequest),
      recentRequests: structuredClone(recentRequests),
    };
  }

  /**
   * Counts an arriving chat completions or embeddings request and, when its body was a JSON object,
   * records it as `lastRequest` and at the end of `recentRequests`.
   */
  recordRequest(request: RecordedRequest | undefined): void {
    this.update((stats) => {
      stats.requests += 1;
      if (request === undefined) return;
      stats.lastRequest = request;
      stats.recentRequests.push(request);
      if (stats.recentRequests.length > RECENT_REQUESTS_LIMIT) stats.recentRequests.shift();
    });
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
        // Up to RECENT_REQUESTS_LIMIT whole request bodies would bury the counters; their number is enough here.
        const { recentRequests, ...counters } = this.snapshot();
        const shown = { ...counters, recentRequests: `(${recentRequests.length} requests)` };
        waiter.fail(
          new Error(
            `waitFor: condition not met within ${timeoutMs} ms; stats: ${JSON.stringify(shown)}`,
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
