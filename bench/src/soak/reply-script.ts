import { REQUEST_OPTIONS_PREFIX, type RequestOptions } from '@tokenstream/mock-openai';
import type { ChatRequest } from '@tokenstream/stream-contracts';
import type { SeededRandom } from './seeded-random';

/** What the mock is told to send for one request: its reply, pacing and fault. */
export type ReplyScript = RequestOptions & { reply: string; chunks: number };

// Words that stress the path from the upstream to the reader: 2-, 3- and 4-byte UTF-8 (a cut can
// fall inside any of them), and text that looks like SSE or JSON (the encoder must escape it).
const WORDS = [
  'token',
  'stream',
  'resume',
  'frame',
  'reply',
  'the',
  'a',
  'of',
  'café',
  'naïve',
  'résumé',
  'Grüße',
  '日本語',
  'テキスト',
  '🙂',
  '🚀',
  '𝔘𝔫𝔦',
  'data: x',
  'id: 7',
  '\n\n',
  '\r\n',
  ': keep-alive',
  '{"type":"finish"}',
  '"quoted"',
  'back\\slash',
  '\t',
  'event:',
] as const;

/** The shape of a random reply: how long, in how many chunks, how fast. */
export interface ReplyShape {
  words: [number, number];
  chunks: [number, number];
  chunkDelayMs: [number, number];
  firstTokenDelayMs: [number, number];
}

/** Replies that take from a few ms to about a second and a half. */
export const ORDINARY_REPLY: ReplyShape = {
  words: [5, 250],
  chunks: [2, 60],
  chunkDelayMs: [0, 25],
  firstTokenDelayMs: [0, 40],
};

/** Replies slow enough for a stop to land in the middle: one to about three seconds. */
export const SLOW_REPLY: ReplyShape = {
  words: [60, 200],
  chunks: [40, 80],
  chunkDelayMs: [20, 40],
  firstTokenDelayMs: [0, 40],
};

/**
 * A random reply of `shape`, starting with `tag` so that a reply delivered to the wrong stream
 * could not pass for the right one.
 */
export function randomReplyScript(rng: SeededRandom, shape: ReplyShape, tag: string): ReplyScript {
  const count = rng.int(...shape.words);
  const words = Array.from({ length: count }, () => rng.pick(WORDS));
  return {
    reply: `[${tag}] ${words.join(' ')}`,
    chunks: rng.int(...shape.chunks),
    chunkDelayMs: rng.int(...shape.chunkDelayMs),
    firstTokenDelayMs: rng.int(...shape.firstTokenDelayMs),
  };
}

/**
 * The long reply the never-reading readers replay: `kib` KiB of ASCII text, 512 chunks sent at
 * once. Deterministic for a seed, so the assembled text can be compared byte for byte.
 */
export function longReply(rng: SeededRandom, kib: number): string {
  const line = Array.from({ length: 63 }, () => rng.pick(['a', 'b', 'c', 'd', 'e', ' '])).join('');
  return `${line}\n`.repeat(kib * 16);
}

/**
 * The body of `POST /api/chat/stream` for `script`, carried to the mock in a message of its own
 * (the api forwards the messages, not the caller's headers); without a script the mock answers
 * with the options it was configured with.
 */
export function chatRequestBody(script: RequestOptions | undefined): string {
  const messages: ChatRequest['messages'] = [{ role: 'user', content: 'Tell me something.' }];
  if (script) {
    messages.unshift({
      role: 'system',
      content: `${REQUEST_OPTIONS_PREFIX}${JSON.stringify(script)}`,
    });
  }
  return JSON.stringify({ messages });
}
