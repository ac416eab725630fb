import type { ServerResponse } from 'node:http';
import type { CompletionUsage } from 'openai/resources/completions';
import {
  deltaChunk,
  finishChunk,
  roleChunk,
  usageChunk,
  type CompletionIdentity,
} from './chat-completion-chunks';
import type { MockOptions } from './mock-options';
import type { ReplyPlan } from './reply-plan';
import { SSE_DONE, SSE_MALFORMED, sseEvent } from './sse';

/** Everything one streamed completion needs, fixed when the request arrives. */
export interface StreamScript {
  identity: CompletionIdentity;
  /** The reply: its steps stream one chunk each (see planReply). */
  plan: ReplyPlan;
  options: Pick<
    MockOptions,
    'chunkDelayMs' | 'chunksPerWrite' | 'firstTokenDelayMs' | 'cutAfterChunks'
  >;
  fault: 'none' | 'cut' | 'malformed';
  /** Present only when the client asked for stream_options.include_usage. */
  usage: CompletionUsage | undefined;
  requestId: string;
}

/** Callbacks through which the stream reports what happened to it. */
export interface StreamObserver {
  onChunkSent(): void;
  onCompleted(): void;
  onAborted(): void;
  /** The scripted `cut` or `malformed` fault ended the stream. */
  onFaulted(): void;
}

// Order: role chunk, content chunks paced by the delays, finish chunk, usage chunk (if asked), [DONE].
// A `cut`/`malformed` fault replaces content chunk number `cutAfterChunks` and everything after it.
/** Writes an OpenAI chat completion stream, or the scripted fault, stopping if the client leaves. */
export function writeChatCompletionStream(
  res: ServerResponse,
  script: StreamScript,
  observer: StreamObserver,
): void {
  const { identity, plan, options, fault, usage } = script;
  const steps = plan.deltas;
  let settled = false;
  let timer: NodeJS.Timeout | undefined;

  const settle = (): void => {
    settled = true;
    clearTimeout(timer);
  };
  const schedule = (delayMs: number, step: () => void): void => {
    timer = setTimeout(() => {
      if (!settled) step();
    }, delayMs);
  };

  // 'close' fires on the response when its socket goes away; before we settled, that is the client leaving.
  res.on('close', () => {
    if (settled) return;
    settle();
    observer.onAborted();
  });

  const faultAt = fault === 'none' ? Infinity : Math.min(options.cutAfterChunks, steps.length);

  const injectFault = (): void => {
    settle();
    observer.onFaulted();
    if (fault === 'malformed') {
      res.end(SSE_MALFORMED);
      return;
    }
    // destroySoon flushes the chunks already written, then drops the connection without ending the body.
    res.socket?.destroySoon();
  };

  const finish = (): void => {
    settle();
    res.write(sseEvent(finishChunk(identity, plan.finishReason)));
    if (usage) res.write(sseEvent(usageChunk(identity, usage)));
    res.end(SSE_DONE);
    observer.onCompleted();
  };

  const sendPiece = (index: number): void => {
    if (index === faultAt) {
      injectFault();
      return;
    }
    if (index === steps.length) {
      finish();
      return;
    }
    // Up to chunksPerWrite pieces go out back to back in one write, never past a fault.
    const next = Math.min(index + options.chunksPerWrite, steps.length, faultAt);
    let events = '';
    for (let step = index; step < next; step += 1) {
      events += sseEvent(deltaChunk(identity, steps[step]));
    }
    res.write(events);
    for (let piece = index; piece < next; piece += 1) observer.onChunkSent();
    // The finish chunk follows the last piece at once, so a stream lasts
    // firstTokenDelayMs + (writes - 1) * chunkDelayMs; a fault arrives when the next write would have.
    if (next === steps.length && next !== faultAt) {
      finish();
      return;
    }
    schedule(options.chunkDelayMs, () => sendPiece(next));
  };

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': script.requestId,
  });
  // Writing the role chunk right away also flushes the headers, so firstTokenDelayMs is time-to-first-token.
  res.write(sseEvent(roleChunk(identity)));
  schedule(options.firstTokenDelayMs, () => sendPiece(0));
}
