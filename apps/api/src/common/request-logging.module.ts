import { Global, Module, type DynamicModule } from '@nestjs/common';
import { pinoHttp, type Options } from 'pino-http';
import { PinoNestLogger } from './pino-nest-logger';

/** The request logger (pino-http), which `main.ts` runs ahead of the app (see `shareResponseShape`). */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * One line per request (pino-http: its id, who asked for what, how it went), and Nest's logger
 * on the same pino ({@link PinoNestLogger}, for `app.useLogger`). The request logger runs ahead of
 * Express rather than as a Nest middleware, so that the properties it gives a response come
 * before Express's prototype change (`shareResponseShape`).
 */
@Global()
@Module({})
export class RequestLoggingModule {
  static forRoot(options: Options): DynamicModule {
    const http = pinoHttp(options);
    return {
      module: RequestLoggingModule,
      providers: [
        { provide: HTTP_LOGGER, useValue: http },
        { provide: PinoNestLogger, useValue: new PinoNestLogger(http.logger) },
      ],
      exports: [PinoNestLogger, HTTP_LOGGER],
    };
  }
}
