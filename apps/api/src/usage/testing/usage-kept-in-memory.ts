import { UsageLog, type EndedReply } from '../usage-log';

/** A usage log that keeps what it is given, for tests of what a reply's end records. */
export class UsageKeptInMemory extends UsageLog {
  readonly replies: EndedReply[] = [];

  recordReply(reply: EndedReply): void {
    this.replies.push(reply);
  }

  onWritten(): void {
    // Nothing is written anywhere: no spend to forget.
  }
}
