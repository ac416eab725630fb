import type { Usage } from '@tokenstream/stream-contracts';
import type { LimitStore } from './limit-store';
import { tokensUsed } from './token-estimate';

/** What a ticket gives back when its stream ends. */
export interface TicketTerms {
  /** The principal id the counters are kept under. */
  key: string;
  /** True when the stream holds a concurrency slot, to release at the end. */
  holdsSlot: boolean;
  /** True when the principal's tokens are counted (it has a daily token limit). */
  countsTokens: boolean;
  /** Characters of the request's messages, for the estimate when no usage is reported. */
  promptChars: number;
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
  private ended = false;

  constructor(
    private readonly store: LimitStore,
    private readonly terms: TicketTerms,
  ) {}

  /** The stream is over: gives back its slot and counts its tokens; later calls do nothing. */
  end(reply: ReplySize): void {
    if (this.ended) return;
    this.ended = true;
    const { key, holdsSlot, countsTokens, promptChars } = this.terms;
    if (holdsSlot) this.store.releaseSlot(key);
    if (countsTokens) {
      const tokens = tokensUsed({
        usage: reply.usage ?? undefined,
        promptChars,
        completionChars: reply.completionChars,
      });
      this.store.addTokens(key, tokens);
    }
  }
}
