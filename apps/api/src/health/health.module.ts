import { Module } from '@nestjs/common';
import { StreamsModule } from '../streams/streams.module';
import { HealthController } from './health.controller';

@Module({ imports: [StreamsModule], controllers: [HealthController] })
export class HealthModule {}
