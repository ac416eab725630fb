import { Injectable } from '@nestjs/common';
import type {
  Conversation,
  ConversationPage,
  ConversationSummary,
  conversationListQuerySchema,
  conversationPatchSchema,
} from '@tokenstream/stream-contracts';
import type { z } from 'zod';
import { BadCursorError } from './conversation-repository';
import { conversationNotFound, invalidField } from './conversation-errors';
import { ConversationDatabase } from './conversation-database';
import { ReplyRecovery } from './reply-recovery';

/**
 * What the conversation routes do for a caller, as values: list and search, read (its replies
 * settled), rename or show another branch, delete. Another caller's conversation is a `404`,
 * as if it did not exist.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationDatabase,
    private readonly recovery: ReplyRecovery,
  ) {}

  list(
    owner: string,
    query: z.infer<typeof conversationListQuerySchema>,
  ): Promise<ConversationPage> {
    return this.conversations.use((repository) =>
      repository.list(owner, query).catch((error: unknown) => {
        if (error instanceof BadCursorError) {
          throw invalidField('cursor', 'is not a cursor this api made');
        }
        throw error;
      }),
    );
  }

  async get(owner: string, id: string): Promise<Conversation> {
    const conversation = await this.conversations.use((repository) => repository.get(owner, id));
    if (!conversation) throw conversationNotFound();
    return this.recovery.settle(conversation);
  }

  async update(
    owner: string,
    id: string,
    patch: z.infer<typeof conversationPatchSchema>,
  ): Promise<ConversationSummary> {
    const updated = await this.conversations.use((repository) =>
      repository.update(owner, id, patch, new Date()),
    );
    if (updated === 'no-such-message') {
      throw invalidField('activeLeafId', 'names no message of this conversation');
    }
    if (!updated) throw conversationNotFound();
    return updated;
  }

  async delete(owner: string, id: string): Promise<void> {
    const deleted = await this.conversations.use((repository) => repository.delete(owner, id));
    if (!deleted) throw conversationNotFound();
  }
}
