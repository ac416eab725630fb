import { Body, Controller, Injectable, PipeTransform, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { ApiAuthenticated, ApiOpenAiErrors } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { parseEmbeddingsRequest, type EmbeddingsRequest } from './embeddings-request';
import { EmbeddingsService } from './embeddings.service';
import { OpenAiPaths } from './openai-paths';

/** Checks an embeddings body; a bad one is a `400` in OpenAI's error shape. */
@Injectable()
export class EmbeddingsRequestPipe implements PipeTransform<unknown, EmbeddingsRequest> {
  transform(body: unknown): EmbeddingsRequest {
    return parseEmbeddingsRequest(body);
  }
}

@ApiTags('openai-compatible')
@ApiAuthenticated('OpenAiErrorBody')
@Controller()
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  /** OpenAI's embeddings, passed through to the model's deployments. */
  @ApiOperation({ summary: "OpenAI's embeddings" })
  @ApiBody({ schema: schemaRef('EmbeddingsRequest') })
  @ApiOkResponse({
    description:
      "The upstream's `list` of `embedding` objects, as it answered it, with `usage`; the " +
      '`X-Tokenstream-Deployment` header names the deployment that answered.',
    schema: schemaRef('EmbeddingsResponse'),
  })
  @ApiOpenAiErrors(400, 403, 404, 413, 415, 429, 502, 503, 504)
  @Post(OpenAiPaths.embeddings)
  create(
    @Body(EmbeddingsRequestPipe) request: EmbeddingsRequest,
    @Req() req: Request & { id?: unknown },
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.embeddings.create(request, { requestId: String(req.id), principal }, res);
  }
}
