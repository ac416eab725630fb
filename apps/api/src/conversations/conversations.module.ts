import { Module } from '@nestjs/common';
import { ConversationRetention } from './conversation-retention';
import { ConversationTurns } from './conversation-turns';
import { Conversations } from './conversations';
import { ConversationsController } from './conversations.controller';

/** Conversations kept per user: the REST routes, the turns the chat route keeps, retention. */
@Module({
  controllers: [ConversationsController],
  providers: [Conversations, ConversationTurns, ConversationRetention],
  exports: [ConversationTurns],
})
export class ConversationsModule {}
