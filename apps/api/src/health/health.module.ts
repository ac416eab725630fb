import { Module } from '@nestjs/common';
import { StreamsModule } from '../streams/streams.module';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';

@Module({ imports: [StreamsModule], controllers: [HealthController], providers: [Readiness] })
export class HealthModule {}
