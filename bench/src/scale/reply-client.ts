import { connect } from 'node:net';
import { ChunkedBody } from './chunked-body';
import type { GapHistogram } from './gap-histogram';

/** The byte each token of the benchmark's replies carries once, and nothing else on the wire does. */
export const TOKEN_MARKER = '^';

/** A reply of `tokens` tokens, each its own piece when the upstream splits it in `tokens` chunks. */
export function replyText(tokens: number): string {
  return `${TOKEN_MARKER}tk `.repeat(tokens);
}

/** How a reply ended for its client. */
export type ReplyStatus =
  /** every token, then the target's end */
  | 'completed'
  /** the body ended without every token or without the end */
  | 'incomplete'
  /** no 200, or no connection */
  | 'failed'
  /** the connection broke in the middle of the body */
  | 'cut'
  /** the client left on purpose (`leaveAfterTokens`) */
  | 'left'
  /** still open at the deadline */
  | 'unfinished';

/** What one reply's client saw. */
export interface ReplyOutcome {
  status: ReplyStatus;
  tokens: number;
  /** Socket reads that carried body bytes. */
  reads: number;
  /** From the connect to the first token, ms; -1 when none came. */
  firstTokenMs: number;
  /** When the outcome was settled (performance.now()). */
  settledAt: number;
  /** Why it failed, was cut or incomplete: `HTTP 503`, `ECONNRESET`, `199/200 tokens`… */
  reason?: string;
}

/** One reply to ask a target for, and how to tell it ended well. */
export interface ReplyRequest {
  url: URL;
  body: string;
  /** Tokens a complete reply carries. */
  tokens: number;
  /** True when `tail` (the body's last bytes, latin1) ends the way this target ends a good reply. */
  endsWell(tail: string): boolean;
  /** Leave (close the connection) once this many tokens arrived. */
  leaveAfterTokens?: number;
  /** Where the gaps between consecutive tokens are counted. */
  gaps?: GapHistogram;
}

/** A reply being read. */
export interface RunningReply {
  outcome: Promise<ReplyOutcome>;
  /** Closes it as `unfinished` (the deadline), unless it already settled. */
  abandon(): void;
}

const MARKER = TOKEN_MARKER.charCodeAt(0);
const HEAD_END = Buffer.from('\r\n\r\n');
/** Enough of the body's end to hold the last frame of any target. */
const TAIL_BYTES = 512;

// Raw `net`, not `node:http`: 5,000 streams of 10 reads a second each must cost this process as
// little as possible, since it shares the cores with the server it measures. Each reply has its
// own connection, as each browser tab's stream would; the client closes it after the last chunk.
/** Sends `request` on a connection of its own and counts the tokens of the streamed reply. */
export function openReply(request: ReplyRequest): RunningReply {
  const { url, body } = request;
  const started = performance.now();
  /** The response's head as it arrives, until its blank line. */
  let head = Buffer.alloc(0);
  let chunked: ChunkedBody | undefined;
  let tokens = 0;
  let reads = 0;
  let firstTokenMs = -1;
  let lastTokenAt = 0;
  let now = 0;
  const tail = Buffer.alloc(TAIL_BYTES);
  let tailLength = 0;
  let settled = false;
  let resolve!: (outcome: ReplyOutcome) => void;
  const outcome = new Promise<ReplyOutcome>((done) => (resolve = done));

  const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
  const settle = (status: ReplyStatus, reason?: string): void => {
    if (settled) return;
    settled = true;
    socket.destroy();
    resolve({ status, tokens, reads, firstTokenMs, settledAt: performance.now(), reason });
  };

  const keepTail = (data: Buffer): void => {
    const n = data.length;
    if (n >= TAIL_BYTES) {
      data.copy(tail, 0, n - TAIL_BYTES);
      tailLength = TAIL_BYTES;
      return;
    }
    const keep = Math.min(tailLength, TAIL_BYTES - n);
    tail.copyWithin(0, tailLength - keep, tailLength);
    data.copy(tail, keep);
    tailLength = keep + n;
  };

  const onData = (data: Buffer): void => {
    keepTail(data);
    let found = 0;
    for (let at = data.indexOf(MARKER); at >= 0; at = data.indexOf(MARKER, at + 1)) found += 1;
    if (found === 0) return;
    if (firstTokenMs < 0) firstTokenMs = now - started;
    else request.gaps?.add(now - lastTokenAt);
    // Tokens that came in the same read follow the first one at once.
    if (found > 1) request.gaps?.add(0, found - 1);
    lastTokenAt = now;
    tokens += found;
  };

  const onHead = (bytes: Buffer): Buffer | undefined => {
    head = Buffer.concat([head, bytes]);
    const end = head.indexOf(HEAD_END);
    if (end < 0) return undefined;
    const text = head.toString('latin1', 0, end);
    const rest = head.subarray(end + HEAD_END.length);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
    if (status !== '200') {
      settle('failed', `HTTP ${status ?? '?'} ${rest.toString('utf8', 0, 120)}`.trim());
      return undefined;
    }
    if (!/\r\ntransfer-encoding:\s*chunked/i.test(text)) {
      settle('failed', 'a 200 without a chunked body');
      return undefined;
    }
    chunked = new ChunkedBody(onData);
    return rest;
  };

  socket.on('connect', () => {
    socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
        `Accept: text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  socket.on('data', (bytes: Buffer) => {
    now = performance.now();
    const bodyBytes = chunked ? bytes : onHead(bytes);
    if (!chunked || !bodyBytes || bodyBytes.length === 0) return;
    reads += 1;
    try {
      chunked.push(bodyBytes);
    } catch (error) {
      settle('incomplete', error instanceof Error ? error.message : String(error));
      return;
    }
    if (request.leaveAfterTokens !== undefined && tokens >= request.leaveAfterTokens) {
      settle('left');
    } else if (chunked.ended) {
      const ending = tail.toString('latin1', 0, tailLength);
      if (tokens !== request.tokens) settle('incomplete', `${tokens}/${request.tokens} tokens`);
      else if (!request.endsWell(ending)) settle('incomplete', 'no end frame');
      else settle('completed');
    }
  });
  socket.on('error', (error: NodeJS.ErrnoException) =>
    settle(chunked ? 'cut' : 'failed', error.code ?? error.message),
  );
  socket.on('close', () => settle(chunked ? 'cut' : 'failed', 'closed by the server'));
  return {
    outcome,
    abandon: () =>
      settle(
        'unfinished',
        !chunked ? 'before the response' : tokens === 0 ? 'before the first token' : 'mid-reply',
      ),
  };
}
