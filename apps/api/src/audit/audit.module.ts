import { Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail';

/** The audit trail, for the routes that change what it records and the checks that see misuse. */
@Module({ providers: [AuditTrail], exports: [AuditTrail] })
export class AuditModule {}
