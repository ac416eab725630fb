import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { UsageModule } from '../usage/usage.module';
import { AdminAuditController } from './admin-audit.controller';
import { AdminBudgetsController } from './admin-budgets.controller';
import { AdminKeysController } from './admin-keys.controller';
import { AdminUsageController } from './admin-usage.controller';

/** The routes under `/api/admin/`, for the members of `ADMIN_GROUPS`. */
@Module({
  imports: [AuthModule, AuditModule, UsageModule, BudgetsModule],
  controllers: [
    AdminKeysController,
    AdminUsageController,
    AdminBudgetsController,
    AdminAuditController,
  ],
})
export class AdminModule {}
