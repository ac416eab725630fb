import { fetchStreamEvents, readStream, replyOf } from '@tokenstream/e2e-support';
import {
  ApiPaths,
  EVENT_STREAM_CONTENT_TYPE,
  STREAM_ID_HEADER,
  type ChatRequest,
  type ReceivedFrame,
} from '@tokenstream/stream-contracts';

/** A whole stream as a plain client read it. */
export interface ReadStream {
  streamId: string;
  frames: ReceivedFrame[];
  /** The text deltas joined: the reply's raw Markdown. */
  text: string;
}

/** The reply's text: its deltas joined. */
export function textOf(frames: readonly ReceivedFrame[]): string {
  return replyOf(frames).text;
}

async function readAll(response: Response, what: string, timeoutMs: number): Promise<ReadStream> {
  if (response.status !== 200 || !response.body) {
    throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  }
  const { frames } = await readStream(response, { timeoutMs }).catch((error: unknown) => {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return { streamId: response.headers.get(STREAM_ID_HEADER) ?? '', frames, text: textOf(frames) };
}

/** Sends `prompt` as the first message of a conversation and reads the whole reply. */
export async function postReply(apiUrl: string, prompt: string, timeoutMs = 30_000) {
  const request: ChatRequest = { messages: [{ role: 'user', content: prompt }] };
  const response = await fetch(apiUrl + ApiPaths.chatStream, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: EVENT_STREAM_CONTENT_TYPE },
    body: JSON.stringify(request),
  });
  return readAll(response, `the reply to ${JSON.stringify(prompt)} (POST)`, timeoutMs);
}

/** Reads stream `streamId` through the resume route, after `lastEventId` (from the start if none). */
export async function replayStream(
  apiUrl: string,
  streamId: string,
  lastEventId?: string,
  timeoutMs = 30_000,
): Promise<ReadStream> {
  const response = await fetchStreamEvents(apiUrl, streamId, { lastEventId });
  return readAll(response, `the replay of stream ${streamId}`, timeoutMs);
}
