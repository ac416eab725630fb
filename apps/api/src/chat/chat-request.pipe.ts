import { Injectable, PipeTransform } from '@nestjs/common';
import { ErrorCodes, parseChatRequest, type ChatRequest } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';

/** Checks a chat request against the shared schema; a bad one is a `400` naming every problem. */
@Injectable()
export class ChatRequestPipe implements PipeTransform<unknown, ChatRequest> {
  transform(body: unknown): ChatRequest {
    const result = parseChatRequest(body);
    if (result.ok) return result.request;
    const summary = result.problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw new ApiException(
      400,
      ErrorCodes.invalidRequest,
      `Invalid request: ${summary}`,
      result.problems,
    );
  }
}
