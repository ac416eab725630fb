import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  periodQuerySchema,
  type PeriodQuery,
  type UsageReport,
} from '@tokenstream/stream-contracts';
import { ApiAuthenticated, ApiErrors, ApiReportPeriod } from '../common/api-docs.decorators';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { schemaRef } from '../common/openapi-schemas';
import { reportPeriod } from '../common/report-period';
import { ZodPipe } from '../common/zod.pipe';
import type { Principal } from '../shared/principal';
import { UsageReports } from './usage-reports';

/** The caller's own usage and cost. */
@ApiTags('auth')
@ApiAuthenticated()
@Controller('me/usage')
export class MeUsageController {
  constructor(private readonly reports: UsageReports) {}

  @ApiOperation({ summary: 'Your own usage and cost in a period, by model' })
  @ApiReportPeriod()
  @ApiOkResponse({ schema: schemaRef('UsageReport') })
  @ApiErrors(400, 503)
  @Get()
  async usage(
    @Query(new ZodPipe(periodQuerySchema)) query: PeriodQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UsageReport> {
    const { from, to } = reportPeriod(query);
    return { rows: await this.reports.totals('model', from, to, principal.id) };
  }
}
