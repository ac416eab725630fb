import { Inject, Injectable } from '@nestjs/common';
import type { HealthResponse } from '@tokenstream/stream-contracts';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { APP_VERSION } from '../config/app-version';
import { Database } from '../database/database';
import { GenerationRegistry } from '../streams/generation-registry';
import { StreamStore } from '../streams/stream-store';

/**
 * How long readiness waits for the shared PostgreSQL to answer: inside the probes' own timeouts
 * (the Helm chart's are 3 s), so a stalled server reads as "not ready", not as a probe that hung.
 */
const DATABASE_PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether this instance should be sent new requests: not while it drains, nor while a store it
 * cannot work without is out of reach (the shared Redis: no reply can start; the shared
 * PostgreSQL: no conversation can be kept). The embedded database lives in this process and is
 * not probed: opening it costs seconds and ~250 MiB, which only its first use should pay.
 */
@Injectable()
export class Readiness {
  constructor(
    @Inject(CONFIG.models) private readonly models: AppConfig['models'],
    private readonly registry: GenerationRegistry,
    private readonly store: StreamStore,
    private readonly database: Database,
  ) {}

  async report(): Promise<HealthResponse> {
    const [store, databaseAnswers] = await Promise.all([
      this.store.usage().catch(() => null),
      this.database.isShared ? this.database.answers(DATABASE_PROBE_TIMEOUT_MS) : undefined,
    ]);
    const database =
      databaseAnswers === undefined ? 'embedded' : databaseAnswers ? 'ok' : 'unavailable';
    const status = this.registry.isDraining
      ? 'shutting_down'
      : !store
        ? 'store_unavailable'
        : database === 'unavailable'
          ? 'database_unavailable'
          : 'ok';
    return {
      status,
      version: APP_VERSION,
      live: true,
      ready: status === 'ok',
      provider: this.models.provider,
      activeStreams: this.registry.size,
      store,
      database,
    };
  }
}
