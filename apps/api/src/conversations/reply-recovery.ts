import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ErrorCodes,
  ReplyAccumulator,
  type Conversation,
  type ConversationMessage,
} from '@tokenstream/stream-contracts';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import { StreamStore, type StoredFrame } from '../streams/stream-store';
import type { ReplyEnd } from './conversation-repository';
import { ConversationDatabase } from './conversation-database';

/**
 * How old a reply kept as `generating` must be before a stream a shared store does not have means
 * it was lost: the turn is kept a moment before its stream is made.
 */
export const LOST_AFTER_MS = 30_000;

/** Frames read from the store at a time while a reply is folded. */
const READ_BATCH = 1_000;

/**
 * Settles replies still kept as `generating` whose generation ended without keeping them: their
 * instance died (killed, out of memory) before its last write. A reply whose stream the store
 * still holds is kept as its frames say (the text so far and how it ended: a lost generation's
 * `generation_lost`, written by the instance that noticed); one whose stream is gone is kept as
 * lost, with no text. Done as a conversation is read, so what it shows is the truth.
 */
@Injectable()
export class ReplyRecovery {
  private readonly logger = new Logger(ReplyRecovery.name);

  constructor(
    private readonly store: StreamStore,
    private readonly conversations: ConversationDatabase,
    @Inject(CONFIG.upstream) private readonly upstream: AppConfig['upstream'],
  ) {}

  /** `conversation` with its ended replies settled (and kept so); never rejects. */
  async settle(conversation: Conversation, now = Date.now()): Promise<Conversation> {
    return { ...conversation, messages: await this.settleMessages(conversation.messages, now) };
  }

  /**
   * `messages` with their ended replies settled (and kept so): a reply whose stream ended but
   * whose keeping has not landed yet (it races the last frame) is read as it ended.
   */
  async settleMessages<M extends ConversationMessage>(
    messages: M[],
    now = Date.now(),
  ): Promise<M[]> {
    const stale = messages.filter(
      (message) => message.status === 'generating' && message.streamId !== null,
    );
    if (stale.length === 0) return messages;
    const ends = new Map<string, ReplyEnd>();
    for (const message of stale) {
      try {
        const end = await this.endOf(message, now);
        if (end) ends.set(message.id, end);
      } catch (error) {
        this.logger.warn({ err: error, messageId: message.id }, 'a reply could not be settled');
      }
    }
    if (ends.size === 0) return messages;
    await this.conversations.use(async (repository) => {
      for (const [messageId, end] of ends) await repository.finishReply(messageId, end);
    });
    return messages.map((message) => {
      const end = ends.get(message.id);
      return end ? settled(message, end) : message;
    });
  }

  /** How `message`'s reply ended, or undefined while it still generates. */
  private async endOf(message: ConversationMessage, now: number): Promise<ReplyEnd | undefined> {
    const streamId = message.streamId as string;
    const info = await this.store.info(streamId);
    if (info?.state === 'running') return undefined;
    if (!info) {
      // Each instance's own memory store cannot see another's streams: there, only a reply older
      // than any generation may run is known to be lost.
      const lostAfter = this.store.shared ? LOST_AFTER_MS : this.upstream.totalTimeoutMs;
      if (now - Date.parse(message.createdAt) < lostAfter) return undefined;
      return lostEnd(new ReplyAccumulator());
    }
    const frames: StoredFrame[] = [];
    for (let after = 0; ;) {
      const batch = await this.store.read(streamId, after, READ_BATCH);
      if (!batch || batch.length === 0) break;
      frames.push(...batch);
      after = batch.at(-1)?.seq ?? after;
      if (batch.length < READ_BATCH) break;
    }
    return replyEndOf(frames);
  }
}

/** How a reply ended, from its stream's frames (a stream without a last frame counts as lost). */
export function replyEndOf(frames: readonly StoredFrame[]): ReplyEnd {
  const reply = new ReplyAccumulator();
  for (const { frame } of frames) reply.add(frame);
  if (reply.error) {
    return { ...lostEnd(reply), errorCode: reply.error.code };
  }
  if (reply.finishReason) {
    return {
      content: reply.text,
      reasoning: reply.reasoning,
      status: reply.finishReason === 'cancelled' ? 'cancelled' : 'complete',
      finishReason: reply.finishReason,
      errorCode: null,
      usage: reply.usage ?? null,
      ttftMs: null,
      durationMs: null,
    };
  }
  return lostEnd(reply);
}

function lostEnd(reply: ReplyAccumulator): ReplyEnd {
  return {
    content: reply.text,
    reasoning: reply.reasoning,
    status: 'failed',
    finishReason: null,
    errorCode: ErrorCodes.generationLost,
    usage: null,
    ttftMs: null,
    durationMs: null,
  };
}

function settled<M extends ConversationMessage>(message: M, end: ReplyEnd): M {
  return {
    ...message,
    content: end.content,
    reasoning: end.reasoning,
    status: end.status,
    finishReason: end.finishReason,
    errorCode: end.errorCode,
    usage: end.usage,
  };
}
