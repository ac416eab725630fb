import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAuthorized } from './api-key';
import { isJsonObject } from './chat-request';
import { parseJson, readBody, sendJson } from './http-io';
import { withDeploymentModel } from './azure-path';
import type { MockOptions } from './mock-options';
import type { MockState } from './mock-state';
import { openAiErrorBody } from './openai-errors';

/** Where a chat completions or embeddings request arrived, as route() resolved it. */
export interface InferenceTarget {
  /** Pathname plus query, recorded as `RecordedRequest.path`. */
  path: string;
  /** The deployment an Azure path names (`/openai/deployments/{deployment}/…`); undefined on /v1 paths. */
  deployment: string | undefined;
}

/** A request that passed the checks every inference endpoint makes first. */
export interface AcceptedRequest {
  /** The JSON body, as sent (already recorded). */
  body: Record<string, unknown>;
  /** Sent back as `x-request-id`, as OpenAI does; clients log it. */
  requestId: string;
}

/**
 * Reads and parses the body, counts and records the request, then answers the errors OpenAI gives
 * before looking at the fields: 401 for a missing or wrong key, 400 for a body that is not a JSON
 * object. Returns undefined when it answered one of them.
 */
export async function acceptRequest(
  req: IncomingMessage,
  res: ServerResponse,
  state: MockState,
  target: InferenceTarget,
  requiredKey: string | undefined,
): Promise<AcceptedRequest | undefined> {
  const json = parseJson(await readBody(req));
  const { authorization } = req.headers;
  const apiKey = headerValue(req.headers['api-key']);
  const traceparent = headerValue(req.headers['traceparent']);
  state.stats.recordRequest(
    isJsonObject(json)
      ? { path: target.path, body: structuredClone(json), authorization, apiKey, traceparent }
      : undefined,
  );

  const requestId = `req_${randomBytes(16).toString('hex')}`;
  if (!isAuthorized(req.headers, requiredKey)) {
    sendJson(res, 401, openAiErrorBody(401), { 'x-request-id': requestId });
    return undefined;
  }
  if (!isJsonObject(json)) {
    const message =
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using " +
      'your HTTP library correctly.)';
    sendJson(res, 400, openAiErrorBody(400, { message }), { 'x-request-id': requestId });
    return undefined;
  }
  return { body: json, requestId };
}

/** A body's check: the request it makes, or OpenAI's message and `param` for its first problem. */
export type BodyCheck<T> = { ok: true; request: T } | { ok: false; message: string; param: string };

/**
 * {@link acceptRequest}, then `check` on the body (with an Azure path's deployment as its model,
 * as Azure reads it): the checked request with the options current when it arrived, or
 * undefined when an error was answered.
 */
export async function acceptValidRequest<T>(
  req: IncomingMessage,
  res: ServerResponse,
  state: MockState,
  target: InferenceTarget,
  check: (body: Record<string, unknown>) => BodyCheck<T>,
): Promise<{ request: T; requestId: string; options: MockOptions } | undefined> {
  // Taken before the body is read, so the request runs with the options current when it arrived.
  const options = state.options();
  const accepted = await acceptRequest(req, res, state, target, options.requireApiKey);
  if (!accepted) return undefined;
  const { body, requestId } = accepted;
  const validation = check(withDeploymentModel(body, target.deployment));
  if (!validation.ok) {
    sendInvalidParam(res, requestId, validation);
    return undefined;
  }
  return { request: validation.request, requestId, options };
}

/** Answers OpenAI's 400 for an invalid field, naming it in `param` as OpenAI does. */
export function sendInvalidParam(
  res: ServerResponse,
  requestId: string,
  invalid: { message: string; param: string },
): void {
  const { message, param } = invalid;
  sendJson(res, 400, openAiErrorBody(400, { message, param }), { 'x-request-id': requestId });
}

// Node types a header it does not know as string | string[]; it joins repeated ones into one string.
function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
