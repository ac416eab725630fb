import { readStream } from '@tokenstream/e2e-support';
import {
  ApiPaths,
  LAST_EVENT_ID_HEADER,
  STREAM_ID_HEADER,
  type ErrorFrame,
  type FinishFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { describeFailure, readConnection } from './read-connection';
import type { SoakInstance } from './soak-instance';
import type { StreamEnd } from './stream-outcome';
import type { StreamLog } from './stream-log';

/** Resumes a client makes on its own after a connection ended without a terminal frame. */
const MAX_UNPLANNED_RESUMES = 5;

/** How long a client waits before such a resume (a real one would back off further). */
const UNPLANNED_PAUSE_MS = 100;

/** Connections of one stream, as counted for its outcome. */
export interface ConnectionCounts {
  connections: number;
  cutsByClient: number;
  droppedWithoutTerminal: number;
}

/** A `POST /api/chat/stream` that opened, or why it did not. */
export type Opened =
  { ok: true; response: Response; streamId: string } | { ok: false; refused: string };

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, Math.max(0, ms)));
}

/** The end a terminal frame means. */
export function endOf(frame: FinishFrame | ErrorFrame): StreamEnd {
  return frame.type === 'finish'
    ? { kind: 'finish', finishReason: frame.finishReason }
    : { kind: 'error', code: frame.code, retryable: frame.retryable };
}

/** Starts a reply; the headers must come within `timeoutMs`. */
export async function openStream(
  instance: SoakInstance,
  body: string,
  timeoutMs: number,
): Promise<Opened> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(new URL(ApiPaths.chatStream, instance.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body,
      signal: abort.signal,
    });
    const streamId = response.headers.get(STREAM_ID_HEADER);
    if (response.status === 200 && response.body && streamId) {
      return { ok: true, response, streamId };
    }
    const text = await response.text();
    const code = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? 'no code';
    return { ok: false, refused: `${response.status} ${code}` };
  } catch (error) {
    return {
      ok: false,
      refused: abort.signal.aborted ? 'no headers in time' : describeFailure(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads the first connection with e2e-support's `readStream`, feeding each frame into `log` as it
 * arrives (and to `onFrame`, which may act mid-stream, e.g. send a stop). Resolves once the body
 * ended, with whether it timed out or broke.
 */
export async function readOpened(
  opened: Extract<Opened, { ok: true }>,
  log: StreamLog,
  timeoutMs: number,
  onFrame: (frame: StreamFrame) => void = () => undefined,
): Promise<{ timedOut: boolean; failure: string | undefined }> {
  let seen = 0;
  const take = (frames: readonly { id: string | undefined; frame: StreamFrame }[]) => {
    for (; seen < frames.length; seen += 1) {
      log.add(frames[seen].id, frames[seen].frame);
      onFrame(frames[seen].frame);
    }
  };
  try {
    const transcript = await readStream(opened.response, {
      timeoutMs,
      until: (t) => (take(t.frames), false),
    });
    take(transcript.frames);
    return { timedOut: false, failure: undefined };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('stream not done after')) return { timedOut: true, failure: undefined };
    return { timedOut: false, failure: describeFailure(error) };
  }
}

/** How a stream is followed after its first connection. */
export interface ResumeJob {
  instance: SoakInstance;
  streamId: string;
  log: StreamLog;
  counts: ConnectionCounts;
  /** performance.now() by which the terminal frame must have come. */
  deadline: number;
  /** Where each planned resume is cut, in body bytes; the resumes after them read to the end. */
  cuts: number[];
  /** The pause before a resume that follows a cut of the client's own. */
  pauseMs: () => number;
  /** Whether the connection before this job was cut by the client (else it ended by itself). */
  afterCut: boolean;
}

/**
 * Resumes the stream with `Last-Event-ID` (the last whole frame's id) until its terminal frame,
 * as a client would: after each planned cut, and after any connection that ended without one.
 */
export async function resumeUntilEnd(job: ResumeJob): Promise<StreamEnd> {
  const { instance, log, counts } = job;
  const url = new URL(ApiPaths.streamEvents(job.streamId), instance.url).href;
  let unplanned = 0;
  let afterCut = job.afterCut;
  for (;;) {
    if (log.terminal) return endOf(log.terminal);
    if (performance.now() >= job.deadline) {
      return {
        kind: 'never-ended',
        detail: `no terminal frame in ${counts.connections} connections`,
      };
    }
    const pause = afterCut ? job.pauseMs() : UNPLANNED_PAUSE_MS;
    await sleep(Math.min(pause, job.deadline - performance.now()));
    if (instance.exit) return { kind: 'instance-exited' };
    counts.connections += 1;
    const result = await readConnection(
      url,
      {
        method: 'GET',
        headers: log.lastId === undefined ? {} : { [LAST_EVENT_ID_HEADER]: log.lastId },
        cutAfterBytes: job.cuts.shift() ?? Infinity,
        timeoutMs: Math.max(1, job.deadline - performance.now()),
      },
      log,
    );
    if (log.terminal) return endOf(log.terminal);
    if (result.timedOut) {
      return {
        kind: 'never-ended',
        detail: `resume ${counts.connections - 1} got no terminal frame`,
      };
    }
    if (result.status === 0) {
      // No response at all: the instance has gone, or the client cannot reach it.
      if (instance.going) return { kind: 'instance-exited' };
      return { kind: 'resume-failed', detail: result.failure ?? 'no response' };
    }
    if (result.status === 204) return { kind: 'already-complete' };
    if (result.status !== 200) {
      return { kind: 'resume-failed', detail: `${result.status} ${result.errorCode ?? 'no code'}` };
    }
    afterCut = result.cut;
    if (result.cut) {
      counts.cutsByClient += 1;
      continue;
    }
    counts.droppedWithoutTerminal += 1;
    unplanned += 1;
    if (unplanned > MAX_UNPLANNED_RESUMES) {
      return {
        kind: 'never-ended',
        detail: `${unplanned} connections ended without a terminal frame`,
      };
    }
  }
}
