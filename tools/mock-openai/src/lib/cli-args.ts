import { parseArgs } from 'node:util';
import {
  DEFAULT_MOCK_OPTIONS,
  MOCK_FAULTS,
  MOCK_FINISH_REASONS,
  MOCK_OPTION_KEYS,
  MockOptionsError,
  validateMockOptionsPatch,
  type MockOptions,
} from './mock-options';

/** Port the command-line mock listens on unless --port says otherwise. */
export const DEFAULT_CLI_PORT = 4010;

/** What the command line asked for. */
export interface CliConfig {
  help: boolean;
  port: number;
  host: string;
  options: Partial<MockOptions>;
}

type ValueKind = 'string' | 'number' | 'list';

// How each knob's flag value is read; typed over all keys so a new knob cannot be forgotten here.
const valueKinds: Record<keyof MockOptions, ValueKind> = {
  reply: 'string',
  chunks: 'number',
  chunkDelayMs: 'number',
  chunksPerWrite: 'number',
  firstTokenDelayMs: 'number',
  reasoning: 'string',
  refusal: 'string',
  toolCallArguments: 'string',
  finishReason: 'string',
  fault: 'string',
  faultStatus: 'number',
  faultRetryAfterSeconds: 'number',
  cutAfterChunks: 'number',
  faultCount: 'number',
  models: 'list',
  requireApiKey: 'string',
};

/** `chunkDelayMs` → `chunk-delay-ms`. */
export function toFlagName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** Parses argv (without node and the script) into a CliConfig; throws MockOptionsError on bad input. */
export function parseCliArgs(argv: readonly string[]): CliConfig {
  const flagOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    port: { type: 'string' },
    host: { type: 'string' },
  };
  for (const key of MOCK_OPTION_KEYS) {
    flagOptions[toFlagName(key)] = { type: 'string' };
    // Nx may forward flags camelCased, so both spellings are accepted.
    flagOptions[key] = { type: 'string' };
  }

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: flagOptions, strict: true }));
  } catch (error) {
    throw new MockOptionsError(error instanceof Error ? error.message : String(error));
  }

  const raw: Record<string, unknown> = {};
  for (const key of MOCK_OPTION_KEYS) {
    const value = values[toFlagName(key)] ?? values[key];
    if (typeof value === 'string') raw[key] = convert(key, valueKinds[key], value);
  }

  return {
    help: values['help'] === true,
    port: parsePort(values['port']),
    host: typeof values['host'] === 'string' ? values['host'] : '127.0.0.1',
    options: validateMockOptionsPatch(raw),
  };
}

/** Help text listing every flag with its default. */
export function cliUsage(): string {
  const defaults: Partial<MockOptions> = DEFAULT_MOCK_OPTIONS;
  const lines = MOCK_OPTION_KEYS.map((key) => {
    const value = defaults[key];
    const shown =
      key === 'reply'
        ? '(built-in 40-word text)'
        : Array.isArray(value)
          ? value.join(',')
          : String(value ?? '(off)');
    return `  --${toFlagName(key).padEnd(27)} default ${shown}`;
  });
  return [
    'Usage: mock-openai [--port 4010] [--host 127.0.0.1] [knobs]',
    '',
    `  --${'port'.padEnd(27)} default ${DEFAULT_CLI_PORT} (0 = any free port)`,
    `  --${'host'.padEnd(27)} default 127.0.0.1`,
    ...lines,
    '',
    `  --fault is one of ${MOCK_FAULTS.join(', ')}; --finish-reason one of ${MOCK_FINISH_REASONS.join(', ')}.`,
    '  --models takes a comma-separated list. --fault-count accepts Infinity.',
    '',
  ].join('\n');
}

function convert(key: string, kind: ValueKind, value: string): unknown {
  if (kind === 'string') return value;
  if (kind === 'list') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  // Number('') is 0, which would turn a forgotten value into a silent zero.
  const number = value.trim() === '' ? NaN : Number(value);
  if (Number.isNaN(number)) {
    throw new MockOptionsError(
      `--${toFlagName(key)} expects a number, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

function parsePort(value: string | boolean | undefined): number {
  if (typeof value !== 'string') return DEFAULT_CLI_PORT;
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MockOptionsError(
      `--port expects an integer from 0 to 65535, got ${JSON.stringify(value)}`,
    );
  }
  return port;
}
