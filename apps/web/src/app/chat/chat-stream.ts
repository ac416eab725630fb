import { Injectable } from '@angular/core';
import {
  ApiErrorBody,
  ApiPaths,
  ChatRequest,
  EVENT_STREAM_CONTENT_TYPE,
  ReceivedFrame,
  REQUEST_ID_HEADER,
  RequestProblem,
  StreamProtocolError,
  isTerminalFrame,
  readFrames,
} from '@tokenstream/stream-contracts';
import { Observable, Subscriber } from 'rxjs';
import { ChatStreamError } from './chat-stream-error';

/**
 * Streams chat replies from `POST /api/chat/stream`: `fetch` and its body reader, decoded by the
 * shared `readFrames`, so the browser holds no second SSE parser.
 */
@Injectable({ providedIn: 'root' })
export class ChatStream {
  /**
   * Sends `request` and emits every frame of the reply, `start` first and `finish` or `error` last,
   * then completes. Fails with a {@link ChatStreamError} when no well-formed stream comes back or it
   * breaks off before its last frame. Unsubscribing aborts the request.
   */
  stream(request: ChatRequest): Observable<ReceivedFrame> {
    return new Observable<ReceivedFrame>((subscriber) => {
      const controller = new AbortController();
      pump(request, controller.signal, subscriber).catch((error: unknown) => {
        // pump reports every failure it knows; this is for the one it does not.
        if (!controller.signal.aborted) subscriber.error(interruptedError(error));
      });
      return () => controller.abort();
    });
  }
}

async function pump(
  request: ChatRequest,
  signal: AbortSignal,
  subscriber: Subscriber<ReceivedFrame>,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(ApiPaths.chatStream, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: EVENT_STREAM_CONTENT_TYPE },
      body: JSON.stringify(request),
      credentials: 'same-origin',
      cache: 'no-store',
      // The api never redirects this POST: a redirect is an SSO proxy sending us to its login page,
      // often on another origin where following it would end in an opaque CORS failure.
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    if (!signal.aborted) subscriber.error(networkError(error));
    return;
  }

  const failure = await failureOf(response);
  if (failure || signal.aborted) {
    discardBody(response);
    if (failure && !signal.aborted) subscriber.error(failure);
    return;
  }

  let ended = false;
  try {
    // `failureOf` only lets a response with a body through.
    for await (const received of readFrames(response.body as ReadableStream<Uint8Array>, signal)) {
      subscriber.next(received);
      if (isTerminalFrame(received.frame)) {
        ended = true;
        break;
      }
    }
  } catch (error) {
    // An abort is the subscriber leaving, not a failure to report.
    if (!signal.aborted) subscriber.error(readError(error));
    return;
  }
  if (signal.aborted) return;
  if (ended) subscriber.complete();
  else subscriber.error(interruptedError());
}

/** Checks the status and the media type before a byte is parsed; `undefined` means "a stream". */
async function failureOf(response: Response): Promise<ChatStreamError | undefined> {
  const { status } = response;
  const mediaType = mediaTypeOf(response);
  const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined;

  if (response.type === 'opaqueredirect' || status === 401) return unauthenticatedError(status);

  if (response.ok) {
    if (mediaType === EVENT_STREAM_CONTENT_TYPE && response.body) return undefined;
    // A login page where the stream should be: the SSO proxy redirected us (oauth2-proxy and the like).
    if (response.redirected || mediaType === 'text/html') return unauthenticatedError(status);
    return new ChatStreamError({
      kind: 'not-a-stream',
      status,
      retryable: false,
      requestId,
      message: 'The server answered with something other than a reply stream.',
    });
  }

  const body = await apiErrorBodyOf(response, mediaType);
  if (body) {
    return new ChatStreamError({
      kind: status >= 500 ? 'unavailable' : 'rejected',
      status,
      code: body.code,
      problems: body.problems,
      retryable: status >= 500 || status === 408 || status === 429,
      requestId: body.requestId ?? requestId,
      message: body.message,
    });
  }
  // Not the api's JSON: a proxy's own page. oauth2-proxy answers an expired session with a 403 page.
  if (status === 403 || (response.redirected && mediaType === 'text/html')) {
    return unauthenticatedError(status);
  }
  if (status >= 500) {
    return new ChatStreamError({
      kind: 'unavailable',
      status,
      retryable: true,
      requestId,
      message: `The chat service is unavailable right now (HTTP ${status}). Try again in a moment.`,
    });
  }
  return new ChatStreamError({
    kind: 'rejected',
    status,
    retryable: status === 408 || status === 429,
    requestId,
    message: `The chat service refused the request (HTTP ${status}).`,
  });
}

function mediaTypeOf(response: Response): string {
  const contentType = response.headers.get('Content-Type') ?? '';
  return contentType.split(';')[0].trim().toLowerCase();
}

/** The api's {@link ApiErrorBody}, or `undefined` for anything else (HTML, text, foreign JSON). */
async function apiErrorBodyOf(
  response: Response,
  mediaType: string,
): Promise<ApiErrorBody | undefined> {
  if (!mediaType.endsWith('json')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(await response.text());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const body = value as Partial<Record<keyof ApiErrorBody, unknown>>;
  if (typeof body.code !== 'string' || typeof body.message !== 'string' || !body.message) {
    return undefined;
  }
  return {
    statusCode: response.status,
    code: body.code as ApiErrorBody['code'],
    message: body.message,
    problems: Array.isArray(body.problems) ? body.problems.filter(isProblem) : undefined,
    requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
  };
}

function isProblem(value: unknown): value is RequestProblem {
  if (typeof value !== 'object' || value === null) return false;
  const problem = value as Partial<Record<keyof RequestProblem, unknown>>;
  return typeof problem.path === 'string' && typeof problem.message === 'string';
}

function discardBody(response: Response): void {
  if (response.body && !response.bodyUsed) response.body.cancel().catch(() => undefined);
}

function unauthenticatedError(status: number): ChatStreamError {
  return new ChatStreamError({
    kind: 'unauthenticated',
    status: status || undefined,
    retryable: false,
    message: 'Your session has expired. Sign in again to continue.',
  });
}

function networkError(cause: unknown): ChatStreamError {
  return new ChatStreamError({
    kind: 'network',
    retryable: true,
    cause,
    message: 'Could not reach the chat service. Check your connection and try again.',
  });
}

function interruptedError(cause?: unknown): ChatStreamError {
  return new ChatStreamError({
    kind: 'interrupted',
    retryable: true,
    cause,
    message: 'The connection was lost before the reply finished.',
  });
}

function readError(error: unknown): ChatStreamError {
  if (error instanceof StreamProtocolError) {
    return new ChatStreamError({
      kind: 'protocol',
      retryable: false,
      cause: error,
      message: 'The chat service sent a reply this app could not read.',
    });
  }
  // The body broke off: the connection dropped or a proxy cut it.
  return interruptedError(error);
}
