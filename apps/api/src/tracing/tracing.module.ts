import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Tracing } from './tracing';

const TRACING = Symbol('TRACING');

/** Exports the spans still held once the app has shut down (after the drain: its last spans too). */
class TracingShutdown implements OnApplicationShutdown {
  constructor(@Inject(TRACING) private readonly tracing: Tracing) {}

  onApplicationShutdown(): Promise<void> {
    return this.tracing.shutdown();
  }
}

/** The tracing `main.ts` loaded, shut down with the app. */
@Module({})
export class TracingModule {
  static forRoot(tracing: Tracing): DynamicModule {
    return {
      module: TracingModule,
      providers: [{ provide: TRACING, useValue: tracing }, TracingShutdown],
    };
  }
}
