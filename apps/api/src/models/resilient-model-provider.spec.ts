import OpenAI, { AuthenticationError, InternalServerError, RateLimitError } from 'openai';
import { splitIntoChunks, startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import type { ModelEvent, ModelRequest } from './model-provider';
import { OpenAiModelProvider } from './openai-model-provider';
import { ResilientModelProvider, type UpstreamPolicy } from './resilient-model-provider';
import { isBrokenConnection } from './upstream-failure';
import { createUpstreamFetch } from './upstream-fetch';
import { UpstreamTimeoutError } from './upstream-timeout-error';
import { replyEvents } from './testing/model-replies';

const REPLY = 'one two three four five six seven eight';
const CHUNKS = 8;
const request: ModelRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

/** Limits roomy enough that only the knob a test turns decides what happens. */
const POLICY: UpstreamPolicy = {
  firstTokenTimeoutMs: 5000,
  idleTimeoutMs: 5000,
  totalTimeoutMs: 10_000,
  maxRetries: 2,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 200,
};

/** What a caller saw of one reply. */
interface Outcome {
  events: ModelEvent[];
  text: string;
  error: unknown;
  elapsedMs: number;
}

class StillRunning extends Error {}

/** Runs a reply to its end (or its error), bounded: on time-out the error shows what had arrived. */
async function run(
  provider: ResilientModelProvider,
  signal = new AbortController().signal,
  timeoutMs = 4000,
): Promise<Outcome> {
  const events: ModelEvent[] = [];
  const started = performance.now();
  const iterator = replyEvents(provider, request, signal)[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StillRunning(`no end after ${timeoutMs} ms; got ${JSON.stringify(events)}`));
    }, timeoutMs);
  });
  let error: unknown;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) break;
      events.push(next.value);
    }
  } catch (caught) {
    if (caught instanceof StillRunning) throw caught;
    error = caught;
  } finally {
    clearTimeout(timer);
  }
  const text = events.map((event) => (event.type === 'delta' ? event.text : '')).join('');
  return { events, text, error, elapsedMs: performance.now() - started };
}

describe('ResilientModelProvider, with the openai SDK against the mock upstream', () => {
  let mock: MockOpenAi;
  let client: OpenAI;
  let warnings: unknown[][];

  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: REPLY, chunks: CHUNKS, chunkDelayMs: 5 });
    client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: mock.url,
      maxRetries: 0,
      fetch: createUpstreamFetch(),
    });
  });
  afterAll(() => mock.close());
  beforeEach(() => {
    mock.reset();
    warnings = [];
  });

  function resilient(
    policy: Partial<UpstreamPolicy> = {},
    onWarn: () => void = () => undefined,
  ): ResilientModelProvider {
    const logger = {
      warn: (...args: unknown[]) => {
        warnings.push(args);
        onWarn();
      },
    };
    return new ResilientModelProvider(
      new OpenAiModelProvider(client),
      { ...POLICY, ...policy },
      { logger },
    );
  }

  describe('retries before any text', () => {
    it('retries a 429 and yields the full reply exactly once', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultCount: 1,
        faultRetryAfterSeconds: 0,
      });
      const { events, text, error } = await run(resilient());
      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      expect(events.filter((event) => event.type === 'finish')).toHaveLength(1);
      expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
      expect(mock.stats().requests).toBe(2);
    });

    it('logs each retry once with its number, delay and status, never the upstream body', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultCount: 1,
        faultRetryAfterSeconds: 0,
      });
      await run(resilient());
      expect(warnings).toHaveLength(1);
      expect(warnings[0][0]).toEqual({ retry: 1, maxRetries: 2, delayMs: 0, upstreamStatus: 429 });
      expect(JSON.stringify(warnings)).not.toMatch(/Rate limit reached|mock-openai/);
    });

    it('waits as long as the upstream Retry-After asks before retrying', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultCount: 1,
        faultRetryAfterSeconds: 1,
      });
      const { text, elapsedMs } = await run(resilient());
      expect(text).toBe(REPLY);
      expect(elapsedMs).toBeGreaterThanOrEqual(900);
      expect(elapsedMs).toBeLessThan(3000);
      expect(mock.stats().requests).toBe(2);
    });

    it('retries a 500 and then streams the reply', async () => {
      mock.configure({ fault: 'status', faultStatus: 500, faultCount: 1 });
      const { text, error } = await run(resilient());
      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
      expect(mock.stats().requests).toBe(2);
    });

    it('retries a refused connection, then surfaces it once the retries are spent', async () => {
      const gone = await startMockOpenAi();
      await gone.close();
      const refused = new OpenAI({
        apiKey: 'sk-test',
        baseURL: gone.url,
        maxRetries: 0,
        fetch: createUpstreamFetch(),
      });
      const provider = new ResilientModelProvider(new OpenAiModelProvider(refused), POLICY, {
        logger: { warn: (...args: unknown[]) => warnings.push(args) },
      });
      const { events, error } = await run(provider);
      expect(events).toEqual([]);
      expect(isBrokenConnection(error)).toBe(true);
      expect(warnings.map(([fields]) => fields)).toEqual([
        expect.objectContaining({ retry: 1, upstreamStatus: 'connection-failed' }),
        expect.objectContaining({ retry: 2, upstreamStatus: 'connection-failed' }),
      ]);
    });

    it('never retries a 401', async () => {
      mock.configure({ fault: 'status', faultStatus: 401, faultCount: 1 });
      const { events, error } = await run(resilient());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(events).toEqual([]);
      expect(mock.stats().requests).toBe(1);
      expect(warnings).toEqual([]);
    });

    it('stops after maxRetries retries and surfaces the last error', async () => {
      mock.configure({ fault: 'status', faultStatus: 500 });
      const { events, error } = await run(resilient({ maxRetries: 2 }));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(events).toEqual([]);
      expect(mock.stats().requests).toBe(3);
      expect(warnings).toHaveLength(2);
    });

    it('surfaces a 429 at once when its Retry-After outlasts the first-token budget', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultCount: 1,
        faultRetryAfterSeconds: 5,
      });
      const { error, elapsedMs } = await run(resilient({ firstTokenTimeoutMs: 1000 }));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(elapsedMs).toBeLessThan(900);
      expect(mock.stats().requests).toBe(1);
    });
  });

  describe('never retries once text was produced', () => {
    it('surfaces a connection cut after 3 chunks after those 3 deltas, without retrying', async () => {
      // faultCount 1: a retry would succeed and send the whole reply again after the 3 chunks.
      mock.configure({ fault: 'cut', cutAfterChunks: 3, faultCount: 1 });
      const { events, text, error } = await run(resilient());
      expect(events.map((event) => event.type)).toEqual(['delta', 'delta', 'delta']);
      expect(text).toBe(splitIntoChunks(REPLY, CHUNKS).slice(0, 3).join(''));
      expect(isBrokenConnection(error)).toBe(true);
      expect(mock.stats().requests).toBe(1);
      expect(warnings).toEqual([]);
    });
  });

  describe('time limits', () => {
    it('ends a reply with no first token in time with a first-token timeout and aborts the upstream', async () => {
      mock.configure({ firstTokenDelayMs: 2000 });
      const { events, error, elapsedMs } = await run(resilient({ firstTokenTimeoutMs: 300 }));
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error).toMatchObject({ kind: 'first-token', limitMs: 300 });
      expect(events).toEqual([]);
      expect(elapsedMs).toBeLessThan(1500);
      await mock.waitFor((stats) => stats.streamsAborted === 1, 2000);
      expect(mock.stats().requests).toBe(1);
    });

    it('counts the first-token limit from the first attempt, retries included', async () => {
      // Alone, the second attempt (first token at 350 ms) would fit in 500 ms; after the 200 ms
      // backoff that follows the 500, it cannot.
      mock.configure({ fault: 'status', faultStatus: 500, faultCount: 1, firstTokenDelayMs: 350 });
      const provider = new ResilientModelProvider(
        new OpenAiModelProvider(client),
        { ...POLICY, firstTokenTimeoutMs: 500, retryBaseDelayMs: 200 },
        { logger: { warn: () => undefined }, random: () => 0.999 },
      );
      const { events, error } = await run(provider);
      expect(error).toMatchObject({ kind: 'first-token' });
      expect(events).toEqual([]);
      expect(mock.stats().requests).toBe(2);
      await mock.waitFor((stats) => stats.streamsAborted === 1, 2000);
    });

    it('ends a reply that goes silent after text with an idle timeout and aborts the upstream', async () => {
      mock.configure({ chunkDelayMs: 60_000 });
      const { events, error } = await run(resilient({ idleTimeoutMs: 300 }));
      expect(error).toMatchObject({ kind: 'idle', limitMs: 300 });
      expect(events).toEqual([{ type: 'delta', text: splitIntoChunks(REPLY, CHUNKS)[0] }]);
      await mock.waitFor((stats) => stats.streamsAborted === 1, 2000);
    });

    it('lets a slow start be judged by the first-token limit, not the idle one', async () => {
      mock.configure({ firstTokenDelayMs: 600 });
      const { text, error } = await run(
        resilient({ idleTimeoutMs: 300, firstTokenTimeoutMs: 3000 }),
      );
      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
    });

    it('lets a reply finish whose chunks keep coming within the idle limit', async () => {
      // 8 chunks 100 ms apart: 700 ms in all, but never 400 ms of silence.
      mock.configure({ chunkDelayMs: 100 });
      const { text, error } = await run(resilient({ idleTimeoutMs: 400 }));
      expect(error).toBeUndefined();
      expect(text).toBe(REPLY);
    });

    it('ends a reply that takes too long overall with a total timeout and aborts the upstream', async () => {
      mock.configure({ chunkDelayMs: 150 });
      const { events, error, elapsedMs } = await run(resilient({ totalTimeoutMs: 500 }));
      expect(error).toMatchObject({ kind: 'total', limitMs: 500 });
      expect(events.length).toBeGreaterThan(0);
      expect(events.length).toBeLessThan(CHUNKS);
      expect(events.every((event) => event.type === 'delta')).toBe(true);
      expect(elapsedMs).toBeGreaterThanOrEqual(450);
      await mock.waitFor((stats) => stats.streamsAborted === 1, 2000);
      expect(mock.stats().streamsCompleted).toBe(0);
    });
  });

  describe('when the caller aborts', () => {
    it('ends at once during a backoff wait, yielding nothing and sending no further request', async () => {
      mock.configure({
        fault: 'status',
        faultStatus: 429,
        faultCount: 1,
        faultRetryAfterSeconds: 3,
      });
      const caller = new AbortController();
      // The retry is logged just before the 3 s wait starts: leave 100 ms into it.
      const provider = resilient({}, () => setTimeout(() => caller.abort(), 100));
      const { events, error, elapsedMs } = await run(provider, caller.signal);
      expect(warnings).toHaveLength(1);
      expect(events).toEqual([]);
      expect(error).toBeUndefined();
      expect(elapsedMs).toBeLessThan(1000);
      expect(mock.stats().requests).toBe(1);
    });

    it('ends quietly mid-reply, with no timeout, and aborts the upstream', async () => {
      mock.configure({ chunkDelayMs: 100 });
      const caller = new AbortController();
      const events: ModelEvent[] = [];
      const provider = resilient({ idleTimeoutMs: 300 });
      for await (const event of replyEvents(provider, request, caller.signal)) {
        events.push(event);
        caller.abort();
      }
      // The loop ended without a throw: no timeout, nothing more after the abort.
      expect(events).toHaveLength(1);
      await mock.waitFor((stats) => stats.streamsAborted === 1, 2000);
      expect(mock.stats().requests).toBe(1);
    });
  });

  it('reports the kind of the provider it wraps', () => {
    expect(resilient().kind).toBe('openai');
  });
});
