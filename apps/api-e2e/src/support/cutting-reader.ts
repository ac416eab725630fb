import {
  STREAM_ID_HEADER,
  createSseParser,
  isStreamFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { request } from 'node:http';

/** What one connection delivered before it was cut (or ended). */
export interface ConnectionResult {
  /** Complete frames only: an event cut before its blank line never counts. */
  frames: { id: string | undefined; frame: StreamFrame }[];
  bytes: number;
  status: number;
  /** The `X-Stream-Id` header: known even when the cut comes before the `start` frame. */
  streamId: string | undefined;
  cut: boolean;
}

/**
 * Reads a stream over a raw socket and cuts the connection after `cutAfterBytes` bytes of body,
 * wherever they fall: inside a frame, inside a multi-byte character. Only frames the SSE parser
 * completed count, as for any real client.
 */
export function readUntilCut(
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
  cutAfterBytes: number,
  timeoutMs = 15_000,
): Promise<ConnectionResult> {
  return new Promise((resolve, reject) => {
    const result: ConnectionResult = {
      frames: [],
      bytes: 0,
      status: 0,
      streamId: undefined,
      cut: false,
    };
    const parser = createSseParser({
      onEvent: (event) => {
        const frame: unknown = JSON.parse(event.data);
        if (isStreamFrame(frame)) result.frames.push({ id: event.id, frame });
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no end after ${timeoutMs} ms; ${result.frames.length} frames so far`));
    }, timeoutMs);
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      result.status = res.statusCode ?? 0;
      const streamId = res.headers[STREAM_ID_HEADER.toLowerCase()];
      result.streamId = typeof streamId === 'string' ? streamId : undefined;
      res.on('data', (chunk: Buffer) => {
        if (result.cut) return;
        const room = cutAfterBytes - result.bytes;
        const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
        result.bytes += part.byteLength;
        parser.feed(new Uint8Array(part));
        if (result.bytes >= cutAfterBytes) {
          result.cut = true;
          clearTimeout(timer);
          req.destroy();
          resolve(result);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(result);
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => {
      if (!result.cut) {
        clearTimeout(timer);
        reject(error);
      }
    });
    req.end(init.body);
  });
}
