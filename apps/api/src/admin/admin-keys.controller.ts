import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  ErrorCodes,
  newApiKeySchema,
  type ApiKeyList,
  type CreatedApiKey,
  type NewApiKey,
} from '@tokenstream/stream-contracts';
import { KeyNameTakenError } from '../auth/managed-key-repository';
import { ManagedKeys } from '../auth/managed-keys';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators';
import { ApiException } from '../common/api-exception';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import { schemaRef } from '../common/openapi-schemas';
import { ZodPipe } from '../common/zod.pipe';
import type { Principal } from '../shared/principal';
import { AdminGuard } from './admin.guard';

const keyNotFound = () => new ApiException(404, ErrorCodes.keyNotFound, 'No such key.');

/**
 * API keys made, listed and revoked at runtime. A key works, and a revoked one is refused, on
 * every instance within a second; each change is in the audit trail, written with it.
 */
@ApiTags('admin')
@ApiAuthenticated()
@ApiErrors(403, 503)
@UseGuards(AdminGuard)
@Controller('admin/keys')
export class AdminKeysController {
  constructor(private readonly keys: ManagedKeys) {}

  @ApiOperation({ summary: 'Make an API key: its secret is in this answer only' })
  @ApiBody({ schema: schemaRef('NewApiKey') })
  @ApiCreatedResponse({ schema: schemaRef('CreatedApiKey') })
  @ApiErrors(400, 409)
  @Post()
  async create(
    @Body(new ZodPipe(newApiKeySchema)) request: NewApiKey,
    @CurrentPrincipal() admin: Principal,
  ): Promise<CreatedApiKey> {
    const at = new Date();
    if (request.expiresAt && new Date(request.expiresAt) <= at) {
      throw new ApiException(400, ErrorCodes.invalidRequest, 'Invalid request: expiresAt is past', [
        { path: 'expiresAt', message: 'must be in the future' },
      ]);
    }
    try {
      return await this.keys.create(request, admin.id, at);
    } catch (error) {
      if (!(error instanceof KeyNameTakenError)) throw error;
      throw new ApiException(
        409,
        ErrorCodes.keyNameTaken,
        `A key named ${request.name} is in use: revoke it first, or choose another name.`,
      );
    }
  }

  @ApiOperation({ summary: 'Every key made at runtime, newest first, without secrets' })
  @ApiOkResponse({ schema: schemaRef('ApiKeyList') })
  @Get()
  async list(): Promise<ApiKeyList> {
    return { keys: await this.keys.list() };
  }

  @ApiOperation({ summary: 'Revoke a key: refused everywhere within a second' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Revoked (or it already was).' })
  @ApiErrors(404)
  @HttpCode(204)
  @Delete(':id')
  async revoke(
    @Param('id', new ParseUUIDPipe({ exceptionFactory: keyNotFound })) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<void> {
    const key = await this.keys.revoke(id, new Date(), admin.id);
    if (!key) throw keyNotFound();
  }
}
