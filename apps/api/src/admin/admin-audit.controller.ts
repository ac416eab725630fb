import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  periodQuerySchema,
  type AuditTrail as AuditTrailBody,
  type PeriodQuery,
} from '@tokenstream/stream-contracts';
import { MAX_AUDIT_EVENTS } from '../audit/audit-repository';
import { AuditTrail } from '../audit/audit-trail';
import { ApiAuthenticated, ApiErrors, ApiReportPeriod } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { ZodPipe } from '../common/zod.pipe';
import { AdminGuard } from './admin.guard';
import { reportPeriod } from '../common/report-period';

/** The audit trail, read: admin actions and security events. */
@ApiTags('admin')
@ApiAuthenticated()
@ApiErrors(400, 403, 503)
@UseGuards(AdminGuard)
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditTrail) {}

  @ApiOperation({
    summary: `The audit trail of a period, newest first (at most ${MAX_AUDIT_EVENTS} events)`,
  })
  @ApiReportPeriod()
  @ApiOkResponse({ schema: schemaRef('AuditTrail') })
  @Get()
  async list(@Query(new ZodPipe(periodQuerySchema)) query: PeriodQuery): Promise<AuditTrailBody> {
    const { from, to } = reportPeriod(query);
    return { events: await this.audit.list(from, to) };
  }
}
