import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { AdminAuditController } from './admin-audit.controller';
import { AdminKeysController } from './admin-keys.controller';

/** The routes under `/api/admin/`, for the members of `ADMIN_GROUPS`. */
@Module({
  imports: [AuthModule, AuditModule],
  controllers: [AdminKeysController, AdminAuditController],
})
export class AdminModule {}
