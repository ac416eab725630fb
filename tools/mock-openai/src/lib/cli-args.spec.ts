import { cliUsage, DEFAULT_CLI_PORT, parseCliArgs } from './cli-args';
import { MockOptionsError } from './mock-options';

describe('parseCliArgs', () => {
  it('defaults to 127.0.0.1:4010 and no knobs', () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      port: DEFAULT_CLI_PORT,
      host: '127.0.0.1',
      options: {},
    });
  });

  it('reads kebab-case knob flags with their types', () => {
    const config = parseCliArgs([
      '--port',
      '4011',
      '--host',
      '0.0.0.0',
      '--chunk-delay-ms',
      '50',
      '--fault',
      'cut',
      '--cut-after-chunks',
      '3',
      '--fault-count=Infinity',
      '--models',
      'a, b',
      '--reply',
      'héllo 🙂',
    ]);
    expect(config.port).toBe(4011);
    expect(config.host).toBe('0.0.0.0');
    expect(config.options).toEqual({
      chunkDelayMs: 50,
      fault: 'cut',
      cutAfterChunks: 3,
      faultCount: Infinity,
      models: ['a', 'b'],
      reply: 'héllo 🙂',
    });
  });

  it('accepts camelCase flags, as Nx may forward them that way', () => {
    expect(parseCliArgs(['--chunkDelayMs=7']).options).toEqual({ chunkDelayMs: 7 });
  });

  it.each([
    [['--chunks', 'many'], /--chunks expects a number/],
    [['--chunks', ''], /--chunks expects a number/],
    [['--fault', 'explode'], /fault must be one of/],
    [['--port', '70000'], /--port expects an integer/],
    [['--no-such-flag', '1'], /no-such-flag/],
  ])('rejects %p', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(MockOptionsError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('has a help text naming every knob flag', () => {
    expect(parseCliArgs(['--help']).help).toBe(true);
    expect(cliUsage()).toContain('--first-token-delay-ms');
    expect(cliUsage()).toContain('--require-api-key');
  });
});
