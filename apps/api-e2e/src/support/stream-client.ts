import { readStream, type StreamTranscript } from '@tokenstream/e2e-support';
import { ApiPaths, type ChatRequest } from '@tokenstream/stream-contracts';

/** POSTs a chat request, with `headers` besides its own (a credential, say); answers as it came. */
export async function openStream(
  baseUrl: string,
  request: ChatRequest | Record<string, unknown>,
  signal?: AbortSignal,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(new URL(ApiPaths.chatStream, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(request),
    signal,
  });
}

/** Opens a stream and reads it to the end. */
export async function chat(
  baseUrl: string,
  request: ChatRequest | Record<string, unknown>,
  timeoutMs?: number,
): Promise<StreamTranscript> {
  const response = await openStream(baseUrl, request);
  if (response.status !== 200) {
    throw new Error(`expected 200, got ${response.status}: ${await response.text()}`);
  }
  return readStream(response, { timeoutMs });
}

/** Opens a stream, reads until `frameCount` frames arrived, then drops the connection as a client that left. */
export async function leaveAfter(
  baseUrl: string,
  request: ChatRequest | Record<string, unknown>,
  frameCount: number,
): Promise<StreamTranscript> {
  const abort = new AbortController();
  const response = await openStream(baseUrl, request, abort.signal);
  const transcript = await readStream(response, { until: (t) => t.frames.length >= frameCount });
  abort.abort();
  return transcript;
}
