import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import {
  ConversationLimits,
  conversationListQuerySchema,
  conversationPatchSchema,
  type Conversation,
  type ConversationPage,
  type ConversationSummary,
} from '@tokenstream/stream-contracts';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { ApiAuthenticated, ApiErrors } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { ZodPipe } from '../common/zod.pipe';
import { conversationNotFound } from './conversation-errors';
import { ConversationsService } from './conversations.service';

/** Conversation ids are UUIDs; anything else cannot name one, so it is a 404 like an unknown one. */
const conversationIdPipe = new ParseUUIDPipe({ exceptionFactory: conversationNotFound });

/**
 * The caller's kept conversations: list and search, read with every branch, rename or show another
 * branch, delete. Another caller's conversation is a `404`, as if it did not exist.
 */
@ApiTags('conversations')
@ApiAuthenticated()
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @ApiOperation({ summary: 'List your conversations, newest first; search titles and text' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: ConversationLimits.maxPageSize },
    description: `How many per page (${ConversationLimits.defaultPageSize} unless told).`,
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'The `nextCursor` of the page before.',
  })
  @ApiQuery({
    name: 'q',
    required: false,
    description: 'Only conversations whose title or any message contains this (any case).',
  })
  @ApiOkResponse({ schema: schemaRef('ConversationPage') })
  @ApiErrors(400, 503)
  @Get()
  list(
    @Query(new ZodPipe(conversationListQuerySchema))
    query: ReturnType<typeof conversationListQuerySchema.parse>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConversationPage> {
    return this.conversations.list(principal.id, query);
  }

  @ApiOperation({ summary: 'A conversation with every message of every branch' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ schema: schemaRef('Conversation') })
  @ApiErrors(404, 503)
  @Get(':id')
  get(
    @Param('id', conversationIdPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Conversation> {
    return this.conversations.get(principal.id, id);
  }

  @ApiOperation({ summary: 'Rename a conversation, or show another branch' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ schema: schemaRef('ConversationPatch') })
  @ApiOkResponse({ schema: schemaRef('ConversationSummary') })
  @ApiErrors(400, 404, 503)
  @Patch(':id')
  update(
    @Param('id', conversationIdPipe) id: string,
    @Body(new ZodPipe(conversationPatchSchema))
    patch: ReturnType<typeof conversationPatchSchema.parse>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConversationSummary> {
    return this.conversations.update(principal.id, id, patch);
  }

  @ApiOperation({ summary: 'Delete a conversation and all its messages' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(404, 503)
  @Delete(':id')
  @HttpCode(204)
  delete(
    @Param('id', conversationIdPipe) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.conversations.delete(principal.id, id);
  }
}
