import { Logger } from '@nestjs/common';
import type { Usage } from '@tokenstream/stream-contracts';
import type { LimitStandings } from '../shared/limit-standing';
import type { LimitStore } from './limit-store';
import { tokensUsed } from './token-estimate';

/** What a ticket was admitted under, and gives back when its stream ends. */
export interface TicketTerms {
  /** The principal id the counters are kept under. */
  key: string;
  /** The concurrency slot the stream holds, to release at the end; none without that limit. */
  slotId: string | undefined;
  /** True when the principal's tokens are counted (it has a daily token limit). */
  countsTokens: boolean;
  /** Characters of the request's messages, for the estimate when no usage is reported. */
  promptChars: number;
  /** Where the caller's request and token limits stood at the admission; none if not counted. */
  standing?: LimitStandings;
}

/** What a stream produced, as its summary reports it: the reply's size and the upstream's usage. */
export interface ReplySize {
  completionChars: number;
  usage?: Usage | null;
}

/**
 * One admitted stream's claim on its principal's limits. {@link end} releases the slot and counts
 * the tokens, once, however often it is called.
 */
export class LimitTicket {
  private readonly logger = new Logger(LimitTicket.name);
  private ended = false;

  constructor(
    private readonly store: LimitStore,
    private readonly terms: TicketTerms,
    /** The ticket of the model's own limits, ended with this one. */
    private readonly next?: LimitTicket,
  ) {}

  /**
   * Where the caller's request and token limits stood when the stream was admitted, each absent
   * when it is off; nothing when the limits could not be read (admitted uncounted).
   */
  get standing(): LimitStandings {
    return this.terms.standing ?? {};
  }

  /**
   * The stream is over: gives back its slot and counts its tokens; later calls do nothing. Settles
   * once the store has both; it never rejects, as a stream's end has nobody to report a failure to
   * (a slot whose release was lost runs out with its lease).
   */
  async end(reply: ReplySize): Promise<void> {
    await this.settle(reply);
  }

  /** The stream never started: gives back its slot and counts no tokens; settles like {@link end}. */
  async release(): Promise<void> {
    await this.settle(undefined);
  }

  private async settle(reply: ReplySize | undefined): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const { key, slotId, countsTokens, promptChars } = this.terms;
    const updates: Promise<void>[] = [];
    if (this.next) updates.push(reply ? this.next.end(reply) : this.next.release());
    if (slotId !== undefined) updates.push(this.store.releaseSlot(key, slotId));
    if (reply && countsTokens) {
      const tokens = tokensUsed({
        usage: reply.usage ?? undefined,
        promptChars,
        completionChars: reply.completionChars,
      });
      updates.push(this.store.addTokens(key, tokens));
    }
    for (const outcome of await Promise.allSettled(updates)) {
      if (outcome.status === 'rejected') {
        this.logger.warn({ err: outcome.reason, principal: key }, 'limit counters not updated');
      }
    }
  }
}
