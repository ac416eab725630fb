import {
  ApiPaths,
  readFrames,
  type ChatRequest,
  type ReceivedFrame,
} from '@tokenstream/stream-contracts';

/** What a client saw of one stream: its frames and keep-alives, each with when it arrived. */
export interface StreamTranscript {
  response: Response;
  frames: (ReceivedFrame & { at: number })[];
  comments: { text: string; at: number }[];
  /** The reply's text, assembled from the deltas as a client would. */
  text(): string;
}

/** POSTs a chat request; throws with the body if the stream did not open. */
export async function openStream(
  baseUrl: string,
  request: ChatRequest | Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(new URL(ApiPaths.chatStream, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(request),
    signal,
  });
}

/**
 * Reads a stream until `until` says stop (by default: until it ends), bounded by `timeoutMs`;
 * on time-out the error shows what had arrived so far.
 */
export async function readStream(
  response: Response,
  options: { timeoutMs?: number; until?: (transcript: StreamTranscript) => boolean } = {},
): Promise<StreamTranscript> {
  const { timeoutMs = 15_000, until } = options;
  const started = performance.now();
  const transcript: StreamTranscript = {
    response,
    frames: [],
    comments: [],
    text: () =>
      transcript.frames
        .map(({ frame }) => (frame.type === 'text-delta' ? frame.delta : ''))
        .join(''),
  };
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('timeout')), timeoutMs);
  const now = () => performance.now() - started;
  try {
    const frames = readFrames(response.body, abort.signal, {
      onComment: (text) => transcript.comments.push({ text, at: now() }),
    });
    for await (const received of frames) {
      transcript.frames.push({ ...received, at: now() });
      if (until?.(transcript)) break;
    }
  } catch (error) {
    if (abort.signal.aborted) {
      const seen = transcript.frames
        .map(({ id, frame }) => `${id}:${JSON.stringify(frame)}`)
        .join('\n');
      throw new Error(`stream not done after ${timeoutMs} ms; received:\n${seen || '(nothing)'}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return transcript;
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
