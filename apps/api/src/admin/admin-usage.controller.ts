import { Controller, Get, Headers, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  USAGE_GROUP_BY,
  usageQuerySchema,
  type UsageQuery,
  type UsageReport,
} from '@tokenstream/stream-contracts';
import type { Response } from 'express';
import { ApiAuthenticated, ApiErrors, ApiReportPeriod } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { reportPeriod } from '../common/report-period';
import { ZodPipe } from '../common/zod.pipe';
import { usageCsv } from '../usage/usage-csv';
import { UsageReports } from '../usage/usage-reports';
import { AdminGuard } from './admin.guard';

/** Usage and cost of everyone, totalled by user, key, model, group or day; JSON or CSV. */
@ApiTags('admin')
@ApiAuthenticated()
@ApiErrors(400, 403, 503)
@UseGuards(AdminGuard)
@Controller('admin/usage')
export class AdminUsageController {
  constructor(private readonly reports: UsageReports) {}

  @ApiOperation({
    summary: 'Usage and cost in a period, totalled by user, key, model, group or day',
  })
  @ApiReportPeriod()
  @ApiQuery({
    name: 'groupBy',
    required: false,
    enum: USAGE_GROUP_BY,
    description: '`user` unless told.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    schema: schemaRef('UsageReport'),
    description: 'JSON, or with `Accept: text/csv` the same rows as CSV.',
  })
  @Get()
  async usage(
    @Query(new ZodPipe(usageQuerySchema)) query: UsageQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UsageReport | string> {
    const { from, to } = reportPeriod(query);
    const rows = await this.reports.totals(query.groupBy, from, to);
    if (!accept?.includes('text/csv')) return { rows };
    response.type('text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="usage-by-${query.groupBy}-${from.toISOString().slice(0, 10)}.csv"`,
    );
    return usageCsv(query.groupBy, rows);
  }
}
