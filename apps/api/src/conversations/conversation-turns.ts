import { Injectable, Logger } from '@nestjs/common';
import {
  ReplyAccumulator,
  type ChatRequest,
  type ReplyPlace,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { newUuidV7 } from '../common/uuid-v7';
import { backoffDelay } from '../shared/backoff-delay';
import type { ReplyKeeper } from '../streams/reply-keeper';
import type { StreamOutcome, StreamStats } from '../streams/stream-stats';
import { ConversationGoneError, type NewTurn, type ReplyEnd } from './conversation-repository';
import { badTurn, conversationNotFound } from './conversation-errors';
import { titleFrom } from './conversation-title';
import { ConversationDatabase } from './conversation-database';
import { modelContext } from './model-context';
import { ReplyRecovery } from './reply-recovery';

/** How often keeping a reply's end is tried before it is given up (and logged). */
const END_ATTEMPTS = 4;

/** The wait before keeping a reply's end is tried again: 250 ms, doubling with each retry. */
const END_RETRY_BACKOFF = { firstMs: 250 };

/** A chat request turned into what the model reads, and the keeper of its reply. */
export interface PreparedTurn {
  request: ChatRequest;
  keeper: ReplyKeeper;
}

/**
 * Turns a chat request that names a conversation into the request the model reads (the branch up
 * to `parentId`, then the new message) and a {@link ReplyKeeper} that keeps the turn as it starts
 * and the reply as it ends, however it ends, whether or not anyone is reading it.
 */
@Injectable()
export class ConversationTurns {
  private readonly logger = new Logger(ConversationTurns.name);

  constructor(
    private readonly conversations: ConversationDatabase,
    private readonly recovery: ReplyRecovery,
  ) {}

  /** Throws a `404` for a conversation or parent the owner does not have, a `400` for a bad turn. */
  async prepare(request: ChatRequest, owner: string): Promise<PreparedTurn> {
    const target = request.conversation ?? {};
    const userText = request.messages[0]?.content;
    const conversationId = target.id ?? newUuidV7();
    const parentId = target.parentId ?? null;
    const branch = await this.conversations.use(async (repository) => {
      if (target.id === undefined) {
        if (parentId) throw badTurn('conversation.parentId needs conversation.id');
        return [];
      }
      if (!parentId) {
        if (!(await repository.exists(owner, conversationId))) throw conversationNotFound();
        return [];
      }
      const found = await repository.branch(owner, conversationId, parentId);
      if (!found) throw conversationNotFound();
      return found;
    });
    // A reply that just ended may not be kept yet (its keeping races its last frame): the model
    // reads it as it ended.
    const settledBranch = await this.recovery.settleMessages(branch);
    const parent = settledBranch.at(-1);
    if (userText === undefined && parent?.role !== 'user') {
      throw badTurn('conversation.parentId must name a user message to answer it again');
    }
    if (userText !== undefined && parent?.role === 'user') {
      throw badTurn('conversation.parentId must name a reply (or be left out) to add a message');
    }
    const userMessage = userText === undefined ? undefined : { id: newUuidV7(), content: userText };
    const context = modelContext(settledBranch);
    if (userText !== undefined) context.push({ role: 'user', content: userText });
    const place: ReplyPlace = {
      id: conversationId,
      messageId: newUuidV7(),
      parentId: userMessage?.id ?? (parentId as string),
    };
    const turn = (streamId: string, model: string): NewTurn => ({
      owner,
      conversationId,
      isNewConversation: target.id === undefined,
      title: titleFrom(userText ?? ''),
      parentId,
      userMessage,
      reply: { id: place.messageId, streamId, model },
      at: new Date(),
    });
    const { conversation: _kept, ...rest } = request;
    return { request: { ...rest, messages: context }, keeper: this.keeper(place, turn) };
  }

  private keeper(place: ReplyPlace, turnFor: (streamId: string, model: string) => NewTurn) {
    const reply = new ReplyAccumulator();
    let turn: NewTurn | undefined;
    return {
      place,
      begin: async (streamId: string, model: string) => {
        turn = turnFor(streamId, model);
        const kept = turn;
        await this.conversations
          .use((repository) => repository.startTurn(kept))
          .catch((error: unknown) => {
            // Deleted since it was read: as if it had never been there.
            if (error instanceof ConversationGoneError) throw conversationNotFound();
            throw error;
          });
      },
      frame: (frame: StreamFrame) => reply.add(frame),
      end: (outcome: StreamOutcome, stats: ReturnType<StreamStats['summary']>) =>
        this.keepEnd(place, replyEnd(reply, outcome, stats)),
      discard: async () => {
        const kept = turn;
        if (!kept) return;
        await this.conversations
          .use((repository) => repository.discardTurn(kept))
          .catch((error: unknown) =>
            this.logger.warn({ err: error, conversationId: place.id }, 'a turn was not forgotten'),
          );
      },
    } satisfies ReplyKeeper;
  }

  /**
   * Keeps how the reply ended, trying again over a few seconds if the database fails (it is the
   * one copy once the stream expires); never rejects.
   */
  private async keepEnd(place: ReplyPlace, end: ReplyEnd): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.conversations.use((repository) => repository.finishReply(place.messageId, end));
        return;
      } catch (error) {
        if (attempt === END_ATTEMPTS) {
          this.logger.error(
            { err: error, conversationId: place.id, messageId: place.messageId },
            'a reply could not be kept in its conversation',
          );
          return;
        }
        const delayMs = backoffDelay(attempt - 1, END_RETRY_BACKOFF);
        await new Promise((done) => setTimeout(done, delayMs));
      }
    }
  }
}

/** How a reply ended, as its conversation keeps it. */
function replyEnd(
  reply: ReplyAccumulator,
  outcome: StreamOutcome,
  stats: ReturnType<StreamStats['summary']>,
): ReplyEnd {
  const status =
    outcome.kind === 'failed'
      ? 'failed'
      : outcome.finishReason === 'cancelled'
        ? 'cancelled'
        : 'complete';
  return {
    content: reply.text,
    reasoning: reply.reasoning,
    status,
    finishReason: outcome.kind === 'finished' ? outcome.finishReason : null,
    errorCode: outcome.kind === 'failed' ? outcome.code : null,
    usage: reply.usage ?? null,
    ttftMs: stats.ttftMs,
    durationMs: stats.durationMs,
  };
}
