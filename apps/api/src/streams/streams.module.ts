import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { ActiveStreams } from './active-streams';
import { StreamsService } from './streams.service';

@Module({
  imports: [ModelsModule],
  providers: [StreamsService, ActiveStreams],
  exports: [StreamsService, ActiveStreams],
})
export class StreamsModule {}
