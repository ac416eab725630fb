import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  AuditActions,
  BUDGET_OWNER_KINDS,
  budgetSchema,
  ErrorCodes,
  type Budget,
  type BudgetList,
  type BudgetOwnerKind,
  type BudgetStatus,
} from '@tokenstream/stream-contracts';
import { AuditTrail } from '../audit/audit-trail';
import { Budgets } from '../budgets/budgets';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators';
import { ApiException } from '../common/api-exception';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { schemaRef } from '../common/openapi-schemas';
import { ZodPipe } from '../common/zod.pipe';
import type { Principal } from '../shared/principal';
import { AdminGuard } from './admin.guard';

/** A budget owner's kind from the path: `user` or `group`, else a `400` naming it. */
function ownerKind(kind: string): BudgetOwnerKind {
  if ((BUDGET_OWNER_KINDS as readonly string[]).includes(kind)) return kind as BudgetOwnerKind;
  throw new ApiException(400, ErrorCodes.invalidRequest, 'Invalid request: kind', [
    { path: 'kind', message: 'expected user or group (a key’s budget is set with the key)' },
  ]);
}

/** Budgets in money per user and per group (a key's is set with the key), with their spend. */
@ApiTags('admin')
@ApiAuthenticated()
@ApiErrors(403, 503)
@UseGuards(AdminGuard)
@Controller('admin/budgets')
export class AdminBudgetsController {
  constructor(
    private readonly budgets: Budgets,
    private readonly audit: AuditTrail,
  ) {}

  @ApiOperation({ summary: "Every budget (users', groups' and keys') with this period's spend" })
  @ApiOkResponse({ schema: schemaRef('BudgetList') })
  @Get()
  async list(): Promise<BudgetList> {
    return { budgets: await this.budgets.statuses() };
  }

  @ApiOperation({ summary: "Set a user's (principal id) or a group's budget" })
  @ApiParam({ name: 'kind', enum: BUDGET_OWNER_KINDS })
  @ApiParam({
    name: 'id',
    description: 'A principal id (`oidc:…`, `proxy:…`, `apikey:…`) or a group.',
  })
  @ApiBody({ schema: schemaRef('Budget') })
  @ApiOkResponse({ schema: schemaRef('BudgetStatus') })
  @ApiErrors(400)
  @Put(':kind/:id')
  async set(
    @Param('kind') kind: string,
    @Param('id') id: string,
    @Body(new ZodPipe(budgetSchema)) budget: Budget,
    @CurrentPrincipal() admin: Principal,
  ): Promise<BudgetStatus> {
    const owner = ownerKind(kind);
    const at = new Date();
    await this.budgets.set(owner, id, budget, at);
    await this.audit.record({
      at,
      actor: admin.id,
      action: AuditActions.budgetSet,
      target: `${owner}:${id}`,
      detail: { ...budget },
    });
    const status = (await this.budgets.statuses()).find((b) => b.kind === owner && b.id === id);
    return status ?? { kind: owner, id, ...budget, spentUsd: 0 };
  }

  @ApiOperation({ summary: "Remove a user's or a group's budget" })
  @ApiParam({ name: 'kind', enum: BUDGET_OWNER_KINDS })
  @ApiParam({ name: 'id' })
  @ApiNoContentResponse({ description: 'Removed (or there was none).' })
  @HttpCode(204)
  @Delete(':kind/:id')
  async remove(
    @Param('kind') kind: string,
    @Param('id') id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<void> {
    const owner = ownerKind(kind);
    if (!(await this.budgets.remove(owner, id))) return;
    await this.audit.record({
      at: new Date(),
      actor: admin.id,
      action: AuditActions.budgetRemoved,
      target: `${owner}:${id}`,
      detail: {},
    });
  }
}
