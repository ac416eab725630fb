import { STREAM_ID_HEADER, createSseParser, isStreamFrame } from '@tokenstream/stream-contracts';
import type { StreamLog } from './stream-log';

/** What one connection of a stream gave, and how it ended. */
export interface ConnectionResult {
  /** HTTP status; 0 when no response came (see `failure`). */
  status: number;
  streamId: string | undefined;
  /** The JSON `code` of an error response, when there was one. */
  errorCode: string | undefined;
  /** Body bytes received (up to the cut). */
  bytes: number;
  /** The client cut the connection after `cutAfterBytes`. */
  cut: boolean;
  /** The body ended by itself. */
  ended: boolean;
  /** Nothing ended it within `timeoutMs`. */
  timedOut: boolean;
  /** A connection or protocol error that ended it (not a cut, not a time-out). */
  failure: string | undefined;
}

/** How one connection is read. */
export interface ConnectionPlan {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Abort the fetch once this many body bytes have arrived (Infinity: read to the end). */
  cutAfterBytes: number;
  timeoutMs: number;
}

/** The reason a fetch failed, with undici's cause (`ECONNREFUSED`, `UND_ERR_SOCKET`…) when it gave one. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = cause && (typeof cause.code === 'string' ? cause.code : String(cause.message));
  return detail ? `${error.message} (${detail})` : error.message;
}

/**
 * Opens one connection (the `POST` or a resume) and feeds every whole frame of its body into
 * `log`, cutting it, as a client losing its network would, after exactly `cutAfterBytes` bytes:
 * wherever they fall, inside a frame or a multi-byte character. Only frames the SSE parser
 * completed count. Bounded by `timeoutMs` from the request.
 */
export async function readConnection(
  url: string,
  plan: ConnectionPlan,
  log: StreamLog,
): Promise<ConnectionResult> {
  const result: ConnectionResult = {
    status: 0,
    streamId: undefined,
    errorCode: undefined,
    bytes: 0,
    cut: false,
    ended: false,
    timedOut: false,
    failure: undefined,
  };
  const abort = new AbortController();
  const timer = setTimeout(() => {
    result.timedOut = true;
    abort.abort();
  }, plan.timeoutMs);
  try {
    const response = await fetch(url, {
      method: plan.method,
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...plan.headers },
      body: plan.body,
      signal: abort.signal,
    });
    result.status = response.status;
    result.streamId = response.headers.get(STREAM_ID_HEADER) ?? undefined;
    if (response.status !== 200 || !response.body) {
      const text = await response.text();
      result.errorCode = /"code":"([a-z_]+)"/.exec(text)?.[1];
      result.ended = true;
      return result;
    }
    const parser = createSseParser({
      onEvent: (event) => {
        const frame: unknown = JSON.parse(event.data);
        if (isStreamFrame(frame)) log.add(event.id, frame);
        else log.violations.push(`unknown frame ${event.data.slice(0, 80)}`);
      },
    });
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        result.ended = true;
        return result;
      }
      const room = plan.cutAfterBytes - result.bytes;
      const part = value.byteLength > room ? value.subarray(0, room) : value;
      result.bytes += part.byteLength;
      parser.feed(part);
      if (result.bytes >= plan.cutAfterBytes) {
        result.cut = true;
        abort.abort();
        return result;
      }
    }
  } catch (error) {
    if (!result.timedOut && !result.cut) result.failure = describeFailure(error);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
