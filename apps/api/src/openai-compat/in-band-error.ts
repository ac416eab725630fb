import { ErrorCodes, type ErrorFrame } from '@tokenstream/stream-contracts';
import type { OpenAiErrorBody } from './openai-error';

/** The HTTP status a failure reported by an `error` frame gets when no byte was sent yet. */
const STATUS_OF: Partial<Record<ErrorFrame['code'], number>> = {
  [ErrorCodes.upstreamRateLimited]: 429,
  [ErrorCodes.upstreamTimeout]: 504,
  [ErrorCodes.upstreamUnavailable]: 502,
  [ErrorCodes.upstreamError]: 502,
  [ErrorCodes.upstreamAuthFailed]: 502,
  [ErrorCodes.serverShuttingDown]: 503,
};

/** The status of a reply that failed, for a non-streaming answer (`500` for anything unlisted). */
export function statusOfErrorFrame(frame: ErrorFrame): number {
  return STATUS_OF[frame.code] ?? 500;
}

/** An `error` frame as OpenAI's error body: tokenstream's code is kept, its message is safe to show. */
export function errorFrameBody(frame: ErrorFrame): OpenAiErrorBody {
  const type = statusOfErrorFrame(frame) === 429 ? 'requests' : 'server_error';
  return { error: { message: frame.message, type, param: null, code: frame.code } };
}
