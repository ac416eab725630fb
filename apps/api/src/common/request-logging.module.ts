import {
  Global,
  Inject,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { PinoNestLogger } from './pino-nest-logger';

const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * One line per request (pino-http: its id, who asked for what, how it went), and Nest's logger
 * on the same pino ({@link PinoNestLogger}, for `app.useLogger`).
 */
@Global()
@Module({})
export class RequestLoggingModule implements NestModule {
  constructor(@Inject(HTTP_LOGGER) private readonly http: HttpLogger) {}

  static forRoot(options: Options): DynamicModule {
    const http = pinoHttp(options);
    return {
      module: RequestLoggingModule,
      providers: [
        { provide: HTTP_LOGGER, useValue: http },
        { provide: PinoNestLogger, useValue: new PinoNestLogger(http.logger) },
      ],
      exports: [PinoNestLogger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.http).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
