import { Module } from '@nestjs/common';
import { StreamsModule } from '../streams/streams.module';
import { ConversationRetention } from './conversation-retention';
import { ConversationTurns } from './conversation-turns';
import { ConversationDatabase } from './conversation-database';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { ReplyRecovery } from './reply-recovery';

/** Conversations kept per user: the REST routes, the turns the chat route keeps, retention. */
@Module({
  imports: [StreamsModule],
  controllers: [ConversationsController],
  providers: [
    ConversationDatabase,
    ConversationsService,
    ConversationTurns,
    ConversationRetention,
    ReplyRecovery,
  ],
  exports: [ConversationTurns],
})
export class ConversationsModule {}
