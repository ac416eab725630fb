import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { repeatEvery } from '../shared/repeat-every';
import type { GenerationRegistry } from './generation-registry';
import type { StreamStore } from './stream-store';

/**
 * How often an instance renews its hold on the streams it generates and hears what other
 * instances did to them: a stop sent to another instance reaches the upstream within about this.
 */
export const LEASE_HEARTBEAT_MS = 500;

/**
 * The beat of one instance on a shared stream store (nothing to do on a store of its own): it
 * renews the leases of the generations this instance runs, says which streams are read here, and
 * passes on to the registry what the store answers (generations ended elsewhere, generations read
 * elsewhere). A store that fails a beat is tried again at the next; the leases are long enough to
 * outlast a few.
 */
export class LeaseHeartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeaseHeartbeat.name);
  private stopBeating: (() => void) | undefined;
  private beating: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly store: StreamStore,
    private readonly registry: GenerationRegistry,
    private readonly intervalMs = LEASE_HEARTBEAT_MS,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.store.shared) return;
    this.stopBeating = repeatEvery(this.intervalMs, () => void this.beat());
  }

  /**
   * Beats on through the drain (`beforeApplicationShutdown`: Nest runs `onModuleDestroy` before
   * it), so the generations this instance still finishes keep their leases.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopBeating?.();
    await this.beating;
  }

  /** One beat; a beat still in flight is not doubled. */
  beat(): Promise<void> {
    this.beating ??= this.exchange().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async exchange(): Promise<void> {
    try {
      const reply = await this.store.heartbeat({
        generating: this.registry.generatingIds(),
        reading: this.registry.readIds(),
      });
      this.registry.heard(reply.endedElsewhere, reply.readElsewhere);
      if (this.failing) this.logger.log('stream heartbeat back');
      this.failing = false;
    } catch (error) {
      // One line per outage, not one per beat.
      if (!this.failing) this.logger.warn({ err: error }, 'stream heartbeat failed; retrying');
      this.failing = true;
    }
  }
}
