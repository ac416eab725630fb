import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sendJson } from './http-io';
import type { MockOptions } from './mock-options';
import { openAiErrorBody } from './openai-errors';

/** Answers the `status` fault: `faultStatus` with OpenAI's error body, and Retry-After where OpenAI sends it. */
export function sendFaultStatus(
  res: ServerResponse,
  options: Pick<MockOptions, 'faultStatus' | 'faultRetryAfterSeconds'>,
  requestId: string,
): void {
  const status = options.faultStatus;
  const headers: OutgoingHttpHeaders = { 'x-request-id': requestId };
  // Real 429s carry Retry-After, and overloaded 503s often do; the SDK's retry logic reads it.
  if (status === 429 || status === 503)
    headers['retry-after'] = String(options.faultRetryAfterSeconds);
  const body = openAiErrorBody(status);
  body.error.message += ' (mock-openai injected fault)';
  sendJson(res, status, body, headers);
}

/**
 * Sends a whole (non-streaming) JSON answer, or breaks it as `fault` says: `cut` drops the connection
 * without answering, `malformed` sends a 200 whose JSON body is truncated.
 */
export function sendJsonOrFault(
  res: ServerResponse,
  fault: 'none' | 'cut' | 'malformed',
  body: unknown,
  requestId: string,
): void {
  if (fault === 'cut') {
    res.socket?.destroy();
    return;
  }
  if (fault === 'malformed') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
    res.end('{not json');
    return;
  }
  sendJson(res, 200, body, { 'x-request-id': requestId });
}
