import {
  EVENT_STREAM_CONTENT_TYPE,
  LAST_EVENT_ID_HEADER,
  STREAM_ID_HEADER,
} from '@tokenstream/stream-contracts';
import { STREAM_ID, wire } from './reply-fixture';

const encoder = new TextEncoder();

/** One step of a scripted body: text or bytes to send, or a pause. */
export type BodyStep = string | Uint8Array | { waitMs: number };

/** How a scripted body behaves after its steps, and what it tells its test. */
export interface SseOptions {
  /** `end` closes the body; `break` errors it like a dropped connection; `hang` sends nothing more. */
  ending?: 'end' | 'break' | 'hang';
  /** Response headers on top of `Content-Type: text/event-stream` and `X-Stream-Id`. */
  headers?: Record<string, string>;
  /** Called when the reader cancels the body (it left, or gave the connection up). */
  onCancel?: (reason: unknown) => void;
}

/**
 * A real `Response` whose real `ReadableStream` body sends `steps` one read at a time (so a cut
 * lands after what was read), then ends as `options.ending` says.
 */
export function sse(steps: BodyStep | BodyStep[], options: SseOptions = {}): Response {
  const { ending = 'end', headers = {}, onCancel } = options;
  const queue = Array.isArray(steps) ? [...steps] : [steps];
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (let step = queue.shift(); step !== undefined; step = queue.shift()) {
          if (typeof step === 'object' && 'waitMs' in step) {
            await new Promise((resolve) => setTimeout(resolve, step.waitMs));
            if (cancelled) return;
            continue;
          }
          controller.enqueue(typeof step === 'string' ? encoder.encode(step) : step);
          return;
        }
        if (ending === 'end') controller.close();
        // Breaking off on the read after the last bytes, as a dropped connection does.
        if (ending === 'break') controller.error(new TypeError('terminated'));
        // A connection that stays open and silent: this read never completes.
        if (ending === 'hang') await new Promise<never>(() => undefined);
      },
      cancel(reason) {
        cancelled = true;
        onCancel?.(reason);
      },
    },
    // Nothing is read ahead: each step is produced when the reader asks for it.
    { highWaterMark: 0 },
  );
  return new Response(body, {
    headers: {
      'Content-Type': EVENT_STREAM_CONTENT_TYPE,
      [STREAM_ID_HEADER]: STREAM_ID,
      ...headers,
    },
  });
}

/** A real JSON `Response`. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** A request the scripted fetch received. */
export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  init: RequestInit;
}

/** How the scripted fetch answers one request. */
export type Answer = (call: RecordedCall) => Response | Promise<Response>;

/** What the api answers a resume: the frames after the request's `Last-Event-ID`. */
export const resumeAfterLastEventId: Answer = (call) =>
  sse(wire(Number(call.headers[LAST_EVENT_ID_HEADER] ?? 0)));

/**
 * A `fetch` that answers from a script, one answer per request, and records every request. With
 * the script used up it rejects as fetch does when the network is down.
 */
export function scripted(...answers: Answer[]): { calls: RecordedCall[]; fetch: typeof fetch } {
  const calls: RecordedCall[] = [];
  const fetchImpl = async (
    input: Parameters<typeof fetch>[0],
    init: RequestInit = {},
  ): Promise<Response> => {
    // What fetch does with an aborted signal: nothing is sent.
    init.signal?.throwIfAborted();
    const call: RecordedCall = {
      method: init.method ?? 'GET',
      url: String(input),
      headers: { ...(init.headers as Record<string, string>) },
      init,
    };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) throw new TypeError('fetch failed');
    return tiedTo(await answer(call), init.signal);
  };
  return { calls, fetch: fetchImpl };
}

/**
 * The response with its body tied to the request's signal, as fetch ties them: aborting the
 * request after the response arrived errors the body with the signal's reason and cancels it.
 * It passes each read through as it comes, reading nothing ahead.
 */
function tiedTo(response: Response, signal: AbortSignal | null | undefined): Response {
  if (!signal || !response.body) return response;
  const source = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        signal.addEventListener(
          'abort',
          () => {
            controller.error(signal.reason);
            source.cancel(signal.reason).catch(() => undefined);
          },
          { once: true },
        );
      },
      async pull(controller) {
        const { done, value } = await source.read();
        if (signal.aborted) return;
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => source.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, headers: response.headers });
}
