import { isServerCode, profileSplitFigures, splitProfile, type CpuProfile } from './profile-split';

/** A profile of one function per node, sampled at the given times (µs) in order. */
function profileOf(
  frames: { functionName: string; url: string }[],
  samples: { node: number; atUs: number }[],
): CpuProfile {
  const startTime = 1_000;
  let previous = startTime;
  return {
    nodes: frames.map((callFrame, index) => ({ id: index + 1, callFrame })),
    startTime,
    samples: samples.map(({ node }) => node),
    timeDeltas: samples.map(({ atUs }) => {
      const delta = atUs - previous;
      previous = atUs;
      return delta;
    }),
  };
}

const FRAMES = [
  { functionName: 'append', url: 'file:///work/main/dist/apps/api/main.js' },
  { functionName: 'write', url: 'node:_http_outgoing' },
  { functionName: 'writev', url: '' },
  { functionName: '(garbage collector)', url: '' },
  { functionName: 'info', url: 'file:///work/main/node_modules/pino/pino.js' },
  { functionName: 'emitInit', url: 'node:internal/async_hooks' },
  { functionName: 'runMicrotasks', url: '' },
  { functionName: 'stringify', url: '' },
  { functionName: '(idle)', url: '' },
  { functionName: '(program)', url: '' },
];

describe('the profile split', () => {
  it('charges each sample to its kind of code, until the next sample, inside the window only', () => {
    // One sample a kind, 1 ms apart (the last lasts until the next, which is outside the window).
    const samples = [
      { node: 1, atUs: 1_500 }, // before the window: not counted
      ...FRAMES.map((_, index) => ({ node: index + 1, atUs: 2_000 + index * 1_000 })),
      { node: 1, atUs: 20_000 }, // after the window: not counted
    ];
    const split = splitProfile(
      profileOf(FRAMES, samples),
      { startUs: 2_000, endUs: 12_000 },
      isServerCode,
    );
    expect(split).toEqual({
      ours: 1,
      node: 1,
      socketWrites: 1,
      gc: 1,
      dependencies: 1,
      promiseHooks: 1,
      microtasks: 1,
      builtins: 1,
      unattributed: 9, // "(program)", at 11 ms, lasts until the next sample, at 20 ms
    });
  });

  it('knows the servers by their own files: the api bundle and the bench servers', () => {
    expect(isServerCode('file:///w/dist/apps/api/main.js')).toBe(true);
    expect(isServerCode('file:///w/bench/src/passthrough-proxy.cjs')).toBe(true);
    expect(isServerCode('file:///w/node_modules/express/index.js')).toBe(false);
    expect(isServerCode('node:_http_server')).toBe(false);
  });

  it('gives figures per delivered token, and JavaScript in all without writes, GC or built-ins', () => {
    const samples = FRAMES.map((_, index) => ({ node: index + 1, atUs: 2_000 + index * 1_000 }));
    const figures = profileSplitFigures(
      [profileOf(FRAMES, [...samples, { node: 9, atUs: 12_000 }])],
      { startUs: 2_000, endUs: 12_000 },
      4, // ms of system CPU
      1_000, // tokens
    );
    // 1 ms over 1,000 tokens is 1 µs a token.
    expect(figures).toMatchObject({ splitOurs: 1, splitSocketWrites: 1, splitKernel: 4 });
    expect(figures['splitJavascript']).toBe(5); // ours, Node's, dependencies, hooks, microtasks
  });
});
