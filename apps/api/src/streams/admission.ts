import type { LimitTicket } from '../limits/limit-ticket';
import type { ReplyKeeper } from './reply-keeper';

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
 * client left, the store refused, or another request with its key made the stream first.
 */
export class Admission {
  private ticket: LimitTicket | undefined;
  private keeper: ReplyKeeper | undefined;
  private settled = false;

  constructor(private readonly reader: ReaderSlot) {}

  /** The limits admitted it. */
  ticketed(ticket: LimitTicket): void {
    this.ticket = ticket;
  }

  /** Its turn is kept in a conversation. */
  kept(keeper: ReplyKeeper): void {
    this.keeper = keeper;
  }

  /** Gives back all it took so far; nothing after {@link started}, nothing twice. */
  release(): void {
    if (this.settled) return;
    this.settled = true;
    this.reader();
    void this.ticket?.release();
    void this.keeper?.discard();
  }

  /** The stream started: what it took is the stream's now, no longer the admission's to give back. */
  started(): AdmittedStream {
    if (this.settled || !this.ticket) throw new Error('only an admission with its ticket starts');
    this.settled = true;
    return { reader: this.reader, ticket: this.ticket };
  }
}
