import { readFrames, type ReceivedFrame } from '@tokenstream/stream-contracts';
import { replyOf } from './reply-of';

/** What a client saw of one stream: its frames and keep-alives, each with when it arrived (ms). */
export interface StreamTranscript {
  response: Response;
  frames: (ReceivedFrame & { at: number })[];
  comments: { text: string; at: number }[];
  /** Bytes of body read: all of them, or up to the cut. */
  bytes: number;
  /** True when the read dropped the connection at `cutAfterBytes`. */
  cut: boolean;
  /** The reply's text, assembled from the deltas as a client would. */
  text(): string;
}

/** How far to read a stream. Without a stop, to its end. */
export interface ReadStreamOptions {
  /** The read fails after this long, showing the frames that had arrived (15 s). */
  timeoutMs?: number;
  /** Stop once this many frames have arrived, as a client that leaves. */
  frames?: number;
  /** Stop once this says so; it sees the transcript after every frame. */
  until?: (transcript: StreamTranscript) => boolean;
  /**
   * Drop the connection after this many bytes of body, wherever they fall: inside a frame, inside
   * a multi-byte character. Only the frames complete by then count, as for any real client.
   */
  cutAfterBytes?: number;
}

/** How long a read may take unless the caller says otherwise: a whole demo reply, with room. */
export const READ_STREAM_TIMEOUT_MS = 15_000;

/**
 * Reads an SSE body until it ends or a stop of `options` comes, bounded by `timeoutMs`; on
 * time-out the error shows what had arrived so far. Stopping early cancels the body, which drops
 * the connection.
 */
export async function readStream(
  response: Response,
  options: ReadStreamOptions = {},
): Promise<StreamTranscript> {
  const { timeoutMs = READ_STREAM_TIMEOUT_MS, frames: frameCount, until } = options;
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const started = performance.now();
  const now = () => performance.now() - started;
  const transcript: StreamTranscript = {
    response,
    frames: [],
    comments: [],
    bytes: 0,
    cut: false,
    text: () => replyOf(transcript.frames).text,
  };
  const stop = (t: StreamTranscript) =>
    (frameCount !== undefined && t.frames.length >= frameCount) || (until?.(t) ?? false);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('timeout')), timeoutMs);
  try {
    const body = counted(response.body, transcript, options.cutAfterBytes ?? Infinity);
    const frames = readFrames(body, abort.signal, {
      onComment: (text) => transcript.comments.push({ text, at: now() }),
    });
    for await (const received of frames) {
      transcript.frames.push({ ...received, at: now() });
      if (stop(transcript)) break;
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

/** `body`, its bytes counted in `transcript`, ending (and cancelled) after `limit` of them. */
function counted(
  body: ReadableStream<Uint8Array>,
  transcript: StreamTranscript,
  limit: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (transcript.bytes >= limit) {
        transcript.cut = true;
        controller.close();
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const part = value.subarray(0, limit - transcript.bytes);
      transcript.bytes += part.byteLength;
      controller.enqueue(part);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
