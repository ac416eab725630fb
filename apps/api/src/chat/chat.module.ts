import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { StreamsModule } from '../streams/streams.module';
import { ChatController } from './chat.controller';

@Module({ imports: [StreamsModule, ConversationsModule], controllers: [ChatController] })
export class ChatModule {}
