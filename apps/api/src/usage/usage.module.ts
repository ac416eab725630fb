import { Module } from '@nestjs/common';
import { MeUsageController } from './me-usage.controller';
import { UsageLog } from './usage-log';
import { UsageRecorder } from './usage-recorder';
import { UsageReports } from './usage-reports';

/** Usage rows: recorded as replies and embeddings calls end. */
@Module({
  controllers: [MeUsageController],
  providers: [UsageRecorder, UsageReports, { provide: UsageLog, useExisting: UsageRecorder }],
  exports: [UsageLog, UsageReports],
})
export class UsageModule {}
