import type { Principal } from '../shared/principal';
import type { UsageRecord } from './usage-repository';

/** What is known of a reply or an embeddings call when it ends. */
export interface EndedReply {
  principal: Principal;
  api: UsageRecord['api'];
  /** The model that answered (a fallback's, when the one asked for failed). */
  model: string;
  deployment: string | null;
  usage?: { promptTokens: number; completionTokens: number } | null;
  promptChars: number;
  completionChars: number;
  ttftMs: number | null;
  durationMs: number;
  /** A finish reason, an error code, or `ok`. */
  outcome: string;
}

/**
 * Where a reply's usage goes as it ends: {@link UsageRecorder}, which writes it to the database;
 * the streams and the embeddings route know only this.
 */
export abstract class UsageLog {
  /** Queues the usage row of a reply or an embeddings call that just ended. */
  abstract recordReply(reply: EndedReply): void;

  /** Calls `listener` with each batch of rows once it is written. */
  abstract onWritten(listener: (records: readonly UsageRecord[]) => void): void;
}
