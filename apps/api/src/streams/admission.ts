import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import type { LimitTicket } from '../limits/limit-ticket';
import { SpanAttributes, SpanNames } from '../tracing/span-attributes';
import type { TraceSpan } from '../tracing/trace-span';
import type { ReplyKeeper } from './reply-keeper';

/** The error code of what refused an admission (a limit, the store), for its span. */
function refusalCode(refusal: unknown): string {
  return refusal instanceof ApiException ? refusal.code : ErrorCodes.internalError;
}

/** Gives back a reader's slot (see `ReaderLimits`); once, however often it is called. */
export type ReaderSlot = () => void;

/** What a stream that was started holds from its admission, for its life. */
export interface AdmittedStream {
  reader: ReaderSlot;
  ticket: LimitTicket;
}

/**
 * What a request took while it was admitted (its reader slot, then its limit ticket, then its
 * turn in a conversation), given back in one call if the stream is not started after all: the
 * client left, the store refused, or another request with its key made the stream first. Traced,
 * it is a span of its own, a child of the request's, which ends with it.
 */
export class Admission {
  private ticket: LimitTicket | undefined;
  private keeper: ReplyKeeper | undefined;
  private settled = false;
  private readonly span: TraceSpan | undefined;

  constructor(
    private readonly reader: ReaderSlot,
    trace?: TraceSpan,
  ) {
    this.span = trace?.child(SpanNames.admission);
  }

  /** The limits admitted it. */
  ticketed(ticket: LimitTicket): void {
    this.ticket = ticket;
  }

  /** Its turn is kept in a conversation. */
  kept(keeper: ReplyKeeper): void {
    this.keeper = keeper;
  }

  /**
   * Gives back all it took so far; nothing after {@link started}, nothing twice. `refusal` is what
   * refused it, if something did (for its span).
   */
  release(refusal?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (this.span) {
      const code = refusal === undefined ? undefined : refusalCode(refusal);
      this.span.end(
        { [SpanAttributes.outcome]: code ?? 'released' },
        code ? { type: code } : undefined,
      );
    }
    this.reader();
    void this.ticket?.release();
    void this.keeper?.discard();
  }

  /** The stream started: what it took is the stream's now, no longer the admission's to give back. */
  started(): AdmittedStream {
    if (this.settled || !this.ticket) throw new Error('only an admission with its ticket starts');
    this.settled = true;
    this.span?.end({ [SpanAttributes.outcome]: 'admitted' });
    return { reader: this.reader, ticket: this.ticket };
  }
}
