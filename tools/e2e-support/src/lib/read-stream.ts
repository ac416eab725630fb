import { readFrames, type ReceivedFrame } from '@tokenstream/stream-contracts';

/** What a client saw of one stream: its frames and keep-alives, each with when it arrived (ms). */
export interface StreamTranscript {
  response: Response;
  frames: (ReceivedFrame & { at: number })[];
  comments: { text: string; at: number }[];
  /** The reply's text, assembled from the deltas as a client would. */
  text(): string;
}

/** How long a read may take unless the caller says otherwise: a whole demo reply, with room. */
export const READ_STREAM_TIMEOUT_MS = 15_000;

/**
 * Reads an SSE body until it ends or `until` says stop, bounded by `timeoutMs`; on time-out the
 * error shows what had arrived so far.
 */
export async function readStream(
  response: Response,
  options: { timeoutMs?: number; until?: (transcript: StreamTranscript) => boolean } = {},
): Promise<StreamTranscript> {
  const { timeoutMs = READ_STREAM_TIMEOUT_MS, until } = options;
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const started = performance.now();
  const now = () => performance.now() - started;
  const transcript: StreamTranscript = {
    response,
    frames: [],
    comments: [],
    text: () =>
      transcript.frames
        .map(({ frame }) => (frame.type === 'text-delta' ? frame.delta : ''))
        .join(''),
  };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('timeout')), timeoutMs);
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
      const seen = transcript.frames.map(({ id, frame }) => `${id}:${JSON.stringify(frame)}`);
      throw new Error(
        `stream not done after ${timeoutMs} ms; received:\n${seen.join('\n') || '(nothing)'}`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return transcript;
}
