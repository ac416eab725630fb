import { Body, Controller, Injectable, PipeTransform, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEPLOYMENT_HEADER } from '@tokenstream/stream-contracts';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../common/current-principal.decorator';
import type { Principal } from '../shared/principal';
import { ApiAuthenticated, ApiOpenAiErrors } from '../common/api-docs.decorators';
import { schemaRef } from '../common/openapi-schemas';
import { RATE_LIMIT_RESPONSE_HEADERS } from '../common/rate-limit-response-headers';
import { parseEmbeddingsRequest, type EmbeddingsRequest } from './embeddings-request';
import { EmbeddingsService } from './embeddings.service';
import { OpenAiPaths } from './openai-paths';
import { setOpenAiRateLimitHeaders } from './openai-rate-limit-headers';

/** A signal that aborts when the response closes before it was sent: the caller left. */
function closed(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

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
      "`X-Tokenstream-Deployment` header names the deployment that answered, and OpenAI's " +
      "`x-ratelimit-*` headers where the caller's limits stand.",
    headers: RATE_LIMIT_RESPONSE_HEADERS,
    schema: schemaRef('EmbeddingsResponse'),
  })
  @ApiOpenAiErrors(400, 403, 404, 413, 415, 429, 502, 503, 504)
  @Post(OpenAiPaths.embeddings)
  async create(
    @Body(EmbeddingsRequestPipe) request: EmbeddingsRequest,
    @Req() req: Request & { id?: unknown },
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const answer = await this.embeddings.create(request, {
      requestId: String(req.id),
      principal,
      callerGone: closed(res),
      // Set once admitted, so that any answer after that carries them: the vectors or an error.
      onAdmitted: (standing) => setOpenAiRateLimitHeaders(res, standing),
    });
    if (answer.deployment) res.setHeader(DEPLOYMENT_HEADER, answer.deployment);
    res.status(answer.status).json(answer.body);
  }
}
