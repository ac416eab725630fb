import type { LoggerService } from '@nestjs/common';
import type { Logger as Pino } from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger as JSON lines through pino, in nestjs-pino's shape: `logger.log(object,
 * message, context)` is one line with the object's fields, `msg` and `context`; an `Error` goes
 * under `err`. It writes to the one root logger, holding no request context: that would take an
 * AsyncLocalStorage, whose promise hooks run on every promise of every token (bench/README.md,
 * "Where a token's CPU goes"). A line about a request names its `requestId` itself.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nest passes the context last.
    const fields: Record<string, unknown> = {};
    if (params.length > 0) fields['context'] = params[params.length - 1];
    const rest = params.slice(0, -1);
    if (typeof message === 'object' && message !== null) {
      if (message instanceof Error) fields['err'] = message;
      else Object.assign(fields, message);
      this.pino[level](fields, ...(rest as []));
    } else if (level === 'error' && rest.length === 1 && typeof rest[0] === 'string') {
      // Nest's own `error(message, stack, context)`: the stack belongs to an error of that message.
      const err = new Error(String(message));
      err.stack = rest[0];
      this.pino[level]({ ...fields, err });
    } else {
      this.pino[level](fields, String(message), ...(rest as []));
    }
  }
}
