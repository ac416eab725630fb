import { isTerminalFrame, type StreamFrame } from '@tokenstream/stream-contracts';
import type { Script } from './redis-script';
import type { RedisRecentFrames } from './redis-recent-frames';
import type { RedisStreamKeys } from './redis-stream-keys';
import { APPEND, APPEND_REPLY, appendArgument } from './redis-stream-scripts';
import { StreamClosedError, type AppendResult, type StreamStoreLimits } from './stream-store';

/** The most streams one {@link APPEND} carries: a script blocks Redis while it runs. */
const APPENDS_PER_SCRIPT = 50;

/** What {@link APPEND} answers for one stream. */
type AppendReply = [status: number, lastSeq?: number, bytes?: number];

/** An append waiting for the next {@link APPEND}, and how to answer its caller. */
interface PendingAppend {
  streamId: string;
  frames: readonly StreamFrame[];
  jsons: string[];
  afterSeq: number | undefined;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Runs a script with its KEYS and ARGV, as the store does: bounded in time. */
export type RunScript = (script: Script, keys: string[], ...args: string[]) => Promise<unknown>;

/**
 * A {@link RedisStreamStore}'s appends, sent together: the appends made in one turn of the event
 * loop go in the next {@link APPEND}, {@link APPENDS_PER_SCRIPT} streams to a script. On a busy
 * instance every stream has an append waiting for Redis at any moment; as one command each, what
 * node-redis and the timeout hold for a command outlived V8's young generation and filled the old
 * one (bench/README.md, issue 21). Each append is answered from its stream's part of the reply,
 * and what it appended is kept for the stream's readers here ({@link RedisRecentFrames}).
 */
export class RedisStreamAppends {
  /** The appends made since the last {@link APPEND} was sent: they go together in the next. */
  private pending: PendingAppend[] = [];
  /** Whether {@link pending} are to be sent at the end of this turn. */
  private sendScheduled = false;

  constructor(
    private readonly run: RunScript,
    private readonly keys: RedisStreamKeys,
    private readonly limits: StreamStoreLimits,
    private readonly recent: RedisRecentFrames,
  ) {}

  append(
    streamId: string,
    frames: readonly StreamFrame[],
    afterSeq?: number,
  ): Promise<AppendResult> {
    if (frames.some((frame, i) => i < frames.length - 1 && isTerminalFrame(frame))) {
      return Promise.reject(new Error('a terminal frame may only come last'));
    }
    const jsons = frames.map((frame) => JSON.stringify(frame));
    // Not async, and answered from the script's reply: what waits for Redis is this one promise
    // and the append it answers, nothing more.
    return new Promise((resolve, reject) => {
      const waiting = this.pending.push({ streamId, frames, jsons, afterSeq, resolve, reject });
      // A full script goes at once: node-redis writes in a `setImmediate`, and one set from within
      // an immediate waits for the next turn of the loop. The rest go at the end of this turn.
      if (waiting >= APPENDS_PER_SCRIPT) {
        this.send();
      } else if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => {
          this.sendScheduled = false;
          this.send();
        });
      }
    });
  }

  /** Sends the appends made this turn, {@link APPENDS_PER_SCRIPT} streams to a script. */
  private send(): void {
    const appends = this.pending;
    this.pending = [];
    for (let from = 0; from < appends.length; from += APPENDS_PER_SCRIPT) {
      const batch = appends.slice(from, from + APPENDS_PER_SCRIPT);
      const args = [...this.keys.stems, String(this.limits.retentionMs)];
      for (const { streamId, frames, jsons, afterSeq } of batch) {
        const last = frames.at(-1);
        args.push(
          appendArgument(streamId, jsons, last !== undefined && isTerminalFrame(last), afterSeq),
        );
      }
      void this.run(APPEND, [...this.keys.budget], ...args).then(
        (replies) =>
          batch.forEach((append, i) => this.appended(append, (replies as AppendReply[])[i])),
        (error: unknown) => batch.forEach((append) => append.reject(error)),
      );
    }
  }

  /** Answers an append from its stream's part of the script's reply. */
  private appended(
    { streamId, frames, jsons, resolve, reject }: PendingAppend,
    reply: AppendReply,
  ) {
    if (reply[0] === APPEND_REPLY.closed) {
      this.recent.forget(streamId);
      return reject(new StreamClosedError(streamId));
    }
    const [, lastSeq = 0, streamBytes = 0] = reply;
    this.recent.keep(streamId, lastSeq, frames, jsons);
    resolve({ lastSeq, overLimit: streamBytes > this.limits.maxStreamBytes });
  }
}
