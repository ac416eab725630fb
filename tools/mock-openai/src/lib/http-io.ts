import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

// Far above any chat request a test sends; stops a runaway client from filling the mock's memory.
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Raised when a request body exceeds MAX_BODY_BYTES. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads the whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    const buffer = Buffer.isBuffer(part) ? part : Buffer.from(String(part));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`body exceeds ${MAX_BODY_BYTES} bytes`);
    parts.push(buffer);
  }
  // Decoding once at the end keeps a multi-byte character split across packets intact.
  return Buffer.concat(parts).toString('utf8');
}

/** Parses JSON, returning undefined instead of throwing so callers can answer a 400. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Sends `body` as a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}
