import { startApi, startRedis, type ApiProcess, type RedisServer } from '@tokenstream/e2e-support';
import {
  startMockOpenAi,
  type MockOpenAi,
  type StartMockOpenAiOptions,
} from '@tokenstream/mock-openai';

/** An api's environment: settings by name. */
type Env = Record<string, string>;

/** The key the api sends its fake upstream (the mock takes any, unless told to check). */
const UPSTREAM_API_KEY = 'sk-test';

/** What to start: the fake upstreams and a Redis, then the built api in front of them. */
export interface ApiUnderTestOptions<Name extends string = never> {
  /**
   * A fake upstream (`startMockOpenAi`'s options; `{}` for its defaults) that the api's OpenAI
   * provider calls: `OPENAI_API_KEY` and `OPENAI_BASE_URL` name it.
   */
  upstream?: StartMockOpenAiOptions;
  /** Fake upstreams by name, which the api reaches only as `env` says (a models file). */
  upstreams?: Record<Name, StartMockOpenAiOptions>;
  /** A Redis server of its own, named to every api by `REDIS_URL`. */
  redis?: boolean;
  /** The api's settings; a function of the named upstreams when they must name them. */
  env?: Env | ((upstreams: Record<Name, MockOpenAi>) => Env);
  /** How many api processes to start, all alike (1); `startApi` starts more later. */
  apis?: number;
}

/** A real api process (or several) and the real servers behind it, stopped together. */
export interface ApiUnderTest<Name extends string = never> {
  /** The first api: its `url`, its `logs`, its process (`api.stop(signal)` ends it mid-test). */
  readonly api: ApiProcess;
  /** Every api started, in order. */
  readonly apis: readonly ApiProcess[];
  /** Where the first api listens: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The upstream of `options.upstream`; fails if none was asked for. */
  readonly upstream: MockOpenAi;
  /** The upstreams of `options.upstreams`, by name. */
  readonly upstreams: Record<Name, MockOpenAi>;
  /** The Redis of `options.redis`; fails if none was asked for. */
  readonly redis: RedisServer;
  /**
   * Starts another api with `env` alone (not the options' `env`), calling the same upstream and
   * Redis; it is stopped with the rest.
   */
  startApi(env?: Env): Promise<ApiProcess>;
  /** Puts every upstream back to its start options, its counters to zero. */
  resetUpstreams(): void;
  /**
   * Stops every api (SIGTERM, bounded), then closes the upstreams, then stops Redis: each part
   * whatever happened to the others, and at most once. Fails with the first error, if any.
   */
  stop(): Promise<void>;
}

/**
 * Starts what `options` asks for: the fake upstreams, a Redis, then the built api in front of
 * them. A start that fails stops what did start, so it leaks no process or port.
 */
export async function startApiUnderTest<Name extends string = never>(
  options: ApiUnderTestOptions<Name> = {},
): Promise<ApiUnderTest<Name>> {
  const apis: ApiProcess[] = [];
  const mocks: MockOpenAi[] = [];
  let upstream: MockOpenAi | undefined;
  let redis: RedisServer | undefined;
  const upstreams = {} as Record<Name, MockOpenAi>;
  let stopping: Promise<void> | undefined;

  const wiring = (): Env => ({
    ...(upstream ? { OPENAI_API_KEY: UPSTREAM_API_KEY, OPENAI_BASE_URL: upstream.url } : {}),
    ...(redis ? { REDIS_URL: redis.url } : {}),
  });
  const launch = async (env: Env): Promise<ApiProcess> => {
    const api = await startApi({ ...wiring(), ...env });
    apis.push(api);
    return api;
  };
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // The apis first: they hold connections to the upstreams and to Redis.
      const outcomes = [
        ...(await Promise.allSettled(apis.map((api) => api.stop()))),
        ...(await Promise.allSettled(mocks.map((mock) => mock.close()))),
        ...(await Promise.allSettled(redis ? [redis.stop()] : [])),
      ];
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    })());
  const asked = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what} was asked for`);
    return value;
  };

  try {
    if (options.upstream) {
      upstream = await startMockOpenAi(options.upstream);
      mocks.push(upstream);
    }
    for (const [name, knobs] of Object.entries(options.upstreams ?? {}) as [
      Name,
      StartMockOpenAiOptions,
    ][]) {
      upstreams[name] = await startMockOpenAi(knobs);
      mocks.push(upstreams[name]);
    }
    if (options.redis) redis = await startRedis();
    const env = typeof options.env === 'function' ? options.env(upstreams) : (options.env ?? {});
    // Settled, not raced: an api still starting when another failed is tracked, so it is stopped.
    const launched = await Promise.allSettled(
      Array.from({ length: options.apis ?? 1 }, () => launch(env)),
    );
    const failed = launched.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    get api() {
      return asked(apis[0], 'api');
    },
    apis,
    get url() {
      return asked(apis[0], 'api').url;
    },
    get upstream() {
      return asked(upstream, 'upstream');
    },
    upstreams,
    get redis() {
      return asked(redis, 'redis');
    },
    startApi: (env = {}) => launch(env),
    resetUpstreams: () => mocks.forEach((mock) => mock.reset()),
    stop,
  };
}

/**
 * The api under test for the enclosing `describe`: started in `beforeAll`, its upstreams reset
 * before each test, stopped in `afterAll` however the tests went. Read it inside tests and later
 * hooks; before its `beforeAll` has run, every field fails.
 */
export function useApiUnderTest<Name extends string = never>(
  options: ApiUnderTestOptions<Name> = {},
): ApiUnderTest<Name> {
  let started: ApiUnderTest<Name> | undefined;
  const current = (): ApiUnderTest<Name> => {
    if (!started) throw new Error('the api under test is not started: read it in a test or hook');
    return started;
  };
  beforeAll(async () => {
    started = await startApiUnderTest(options);
  });
  beforeEach(() => started?.resetUpstreams());
  afterAll(() => started?.stop());
  // Every field read goes to the started one: its fields are closures, with no `this` to lose.
  return new Proxy({} as ApiUnderTest<Name>, {
    get: (_target, field) => Reflect.get(current(), field) as unknown,
  });
}
