import { readFrames, type ReceivedFrame } from '@tokenstream/stream-contracts';

/** What a client saw of one stream: frames and comments, each with when it arrived (ms). */
export interface Transcript {
  frames: (ReceivedFrame & { at: number })[];
  comments: { text: string; at: number }[];
  text(): string;
}

/**
 * Reads an SSE body until it ends or `until` says stop, bounded by `timeoutMs`; on time-out the
 * error shows what had arrived.
 */
export async function readStream(
  response: Response,
  options: { timeoutMs?: number; until?: (transcript: Transcript) => boolean } = {},
): Promise<Transcript> {
  const { timeoutMs = 20_000, until } = options;
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const started = performance.now();
  const now = () => performance.now() - started;
  const transcript: Transcript = {
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
