import { APIConnectionError, APIError } from 'openai';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { loggedError } from './logged-error';

const SECRET = 'MARKER-s3cr3t sk-live-key';

/** An upstream's 401 as the SDK makes it from the response, its body quoting a secret. */
function upstream401(): APIError {
  const body = {
    error: {
      message: `Incorrect API key provided: ${SECRET}`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  };
  return APIError.generate(401, body, undefined, new Headers({ 'x-request-id': 'req_123' }));
}

/** The JSON lines a real pino logger with the serializer writes. */
function logWith(write: (logger: pino.Logger) => void): string {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  write(pino({ serializers: { err: loggedError } }, sink));
  return text;
}

describe('loggedError', () => {
  it('keeps the status, code, type and request id of an upstream error, not its body', () => {
    const line = logWith((logger) => logger.warn({ err: upstream401() }, 'stream failed'));
    expect(line).not.toContain('MARKER');
    expect(line).not.toContain('sk-live-key');
    expect(JSON.parse(line).err).toEqual({
      type: 'AuthenticationError',
      message: 'the upstream answered 401',
      status: 401,
      code: 'invalid_api_key',
      errorType: 'invalid_request_error',
      upstreamRequestId: 'req_123',
    });
  });

  it('drops the body of an error sent inside the stream', () => {
    const inBand = new APIError(
      undefined,
      { message: SECRET, code: 'server_error' },
      undefined,
      undefined,
    );
    const line = logWith((logger) => logger.warn({ err: inBand }, 'stream failed'));
    expect(line).not.toContain('MARKER');
    expect(JSON.parse(line).err).toMatchObject({ code: 'server_error' });
  });

  it('serializes an error pino-http serialized first (the original as `raw`) the same way', () => {
    const error = upstream401();
    const serialized = { ...pino.stdSerializers.err(error), raw: error };
    expect(JSON.stringify(loggedError(serialized))).not.toContain('MARKER');
  });

  it('keeps a connection error and any other error as pino shows them, causes included', () => {
    const refused = new APIConnectionError({
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const line = JSON.parse(logWith((logger) => logger.warn({ err: refused }, 'failed')));
    expect(line.err.message).toBe('Connection error.: connect ECONNREFUSED 127.0.0.1:1');
    const other = JSON.parse(
      logWith((logger) => logger.error({ err: new RangeError('odd') }, 'x')),
    );
    expect(other.err).toMatchObject({ type: 'RangeError', message: 'odd' });
    expect(loggedError('not an error')).toBe('not an error');
  });
});
