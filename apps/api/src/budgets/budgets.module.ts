import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { Budgets } from './budgets';

/** Budgets in money, checked before a reply or an embeddings call starts. */
@Module({ imports: [UsageModule], providers: [Budgets], exports: [Budgets] })
export class BudgetsModule {}
