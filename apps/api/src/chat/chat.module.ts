import { Module } from '@nestjs/common';
import { StreamsModule } from '../streams/streams.module';
import { ChatController } from './chat.controller';

@Module({ imports: [StreamsModule], controllers: [ChatController] })
export class ChatModule {}
