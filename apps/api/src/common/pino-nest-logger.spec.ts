import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PinoNestLogger } from './pino-nest-logger';

/** A logger whose lines are kept, parsed, as they would reach stdout. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: new PinoNestLogger(pino({ level: 'trace' }, sink)), lines };
}

describe('PinoNestLogger', () => {
  it("writes Nest's log(object, message, context) as one line with the fields, msg and context", () => {
    const { logger, lines } = capture();
    logger.log({ streamId: 's1', chars: 12 }, 'stream ended', 'StreamStarter');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        streamId: 's1',
        chars: 12,
        msg: 'stream ended',
        context: 'StreamStarter',
      }),
    ]);
  });

  it('writes a plain message with its context, at each level', () => {
    const { logger, lines } = capture();
    logger.warn('careful', 'Bootstrap');
    logger.verbose('detail', 'Bootstrap');
    expect(lines.map(({ level, msg, context }) => ({ level, msg, context }))).toEqual([
      { level: 40, msg: 'careful', context: 'Bootstrap' },
      { level: 10, msg: 'detail', context: 'Bootstrap' },
    ]);
  });

  it('puts an Error under err, and Nest’s error(message, stack, context) as an error with that stack', () => {
    const { logger, lines } = capture();
    logger.error(new Error('boom'), 'ApiExceptionFilter');
    logger.error('it failed', 'Error: it failed\n    at somewhere', 'ExceptionHandler');
    expect(lines[0]).toMatchObject({
      level: 50,
      context: 'ApiExceptionFilter',
      err: { message: 'boom' },
    });
    expect(lines[1]).toMatchObject({
      level: 50,
      context: 'ExceptionHandler',
      err: { message: 'it failed', stack: 'Error: it failed\n    at somewhere' },
    });
  });
});
