import { HttpException } from '@nestjs/common';
import type { ApiErrorBody, RequestProblem } from '@tokenstream/stream-contracts';

/** An error answered before a stream opens, with the protocol's JSON body and optional headers. */
export class ApiException extends HttpException {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorBody['code'],
    message: string,
    readonly problems?: RequestProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message, statusCode);
  }
}
