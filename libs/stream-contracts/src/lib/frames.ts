import { ErrorCode } from './error-codes';

/** Why a reply ended: the model's own reasons, plus `cancelled` when it was stopped. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'cancelled';

/** Every finish reason, for runtime checks. */
export const FINISH_REASONS: readonly FinishReason[] = [
  'stop',
  'length',
  'content_filter',
  'cancelled',
];

/** Token counts the upstream reported for one reply. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of the completion tokens, those a reasoning model spent thinking, when it says. */
  reasoningTokens?: number;
  /** Of the prompt tokens, those the upstream read from its cache, when it says. */
  cachedPromptTokens?: number;
}

/** First frame of every stream: names the stream (for resume and stop) and the model answering. */
export interface StartFrame {
  type: 'start';
  streamId: string;
  model: string;
  /** Where the reply is kept, when the request named a conversation. */
  conversation?: ReplyPlace;
}

/** The conversation a reply is kept in, and its place in the message tree. */
export interface ReplyPlace {
  id: string;
  /** The reply's own message id. */
  messageId: string;
  /** The user message it answers. */
  parentId: string;
}

/** One piece of the reply's text, to be appended to what came before. */
export interface TextDeltaFrame {
  type: 'text-delta';
  delta: string;
}

/**
 * One piece of a reasoning model's thinking, to be appended to what came before: it comes before
 * the reply's text, and is not part of it (nor of what the model reads next turn).
 */
export interface ReasoningDeltaFrame {
  type: 'reasoning-delta';
  delta: string;
}

/**
 * The upstream's own `chat.completion.chunk` objects, as they came, in the order they came (those
 * of one read together). Only streams started through `/v1/chat/completions` carry these, in place
 * of `text-delta` frames, so that tool calls, refusals, log probabilities, reasoning and fields
 * not known yet reach an OpenAI client intact; a client of the native protocol may ignore them.
 */
export interface OpenAiChunksFrame {
  type: 'openai-chunks';
  chunks: Record<string, unknown>[];
}

/** Last frame of a reply that ended normally or was stopped. */
export interface FinishFrame {
  type: 'finish';
  finishReason: FinishReason;
  usage?: Usage;
}

/** Last frame of a reply that failed after the stream opened; `message` is safe to show a user. */
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** The frame vocabulary of protocol v1: each SSE event's `data` is one of these, as JSON. */
export type StreamFrame =
  StartFrame | TextDeltaFrame | ReasoningDeltaFrame | OpenAiChunksFrame | FinishFrame | ErrorFrame;

/** The `type` of every frame in protocol v1. */
export type StreamFrameType = StreamFrame['type'];

/** A frame as a client receives it, with the SSE `id` that marks its position in the stream. */
export interface ReceivedFrame {
  /** The event's `id:` field: pass it back as `Last-Event-ID` to resume after this frame. */
  id: string | undefined;
  frame: StreamFrame;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUsage(value: unknown): value is Usage {
  return (
    isRecord(value) &&
    typeof value['promptTokens'] === 'number' &&
    typeof value['completionTokens'] === 'number' &&
    typeof value['totalTokens'] === 'number'
  );
}

/** True when `value` is a `start` frame. */
export function isStartFrame(value: unknown): value is StartFrame {
  return (
    isRecord(value) &&
    value['type'] === 'start' &&
    typeof value['streamId'] === 'string' &&
    typeof value['model'] === 'string'
  );
}

/** True when `value` is a `text-delta` frame. */
export function isTextDeltaFrame(value: unknown): value is TextDeltaFrame {
  return isRecord(value) && value['type'] === 'text-delta' && typeof value['delta'] === 'string';
}

/** True when `value` is a `reasoning-delta` frame. */
export function isReasoningDeltaFrame(value: unknown): value is ReasoningDeltaFrame {
  return (
    isRecord(value) && value['type'] === 'reasoning-delta' && typeof value['delta'] === 'string'
  );
}

/** True when `value` is an `openai-chunks` frame. */
export function isOpenAiChunksFrame(value: unknown): value is OpenAiChunksFrame {
  return (
    isRecord(value) &&
    value['type'] === 'openai-chunks' &&
    Array.isArray(value['chunks']) &&
    value['chunks'].every(isRecord)
  );
}

/** True when `value` is a `finish` frame. */
export function isFinishFrame(value: unknown): value is FinishFrame {
  return (
    isRecord(value) &&
    value['type'] === 'finish' &&
    FINISH_REASONS.includes(value['finishReason'] as FinishReason) &&
    (value['usage'] === undefined || isUsage(value['usage']))
  );
}

/** True when `value` is an `error` frame. */
export function isErrorFrame(value: unknown): value is ErrorFrame {
  return (
    isRecord(value) &&
    value['type'] === 'error' &&
    typeof value['code'] === 'string' &&
    typeof value['message'] === 'string' &&
    typeof value['retryable'] === 'boolean'
  );
}

/** True when `value` is any well-formed frame of protocol v1. */
export function isStreamFrame(value: unknown): value is StreamFrame {
  return (
    isStartFrame(value) ||
    isTextDeltaFrame(value) ||
    isReasoningDeltaFrame(value) ||
    isOpenAiChunksFrame(value) ||
    isFinishFrame(value) ||
    isErrorFrame(value)
  );
}

/** True for the frames that end a stream (`finish` and `error`): nothing follows them. */
export function isTerminalFrame(frame: StreamFrame): frame is FinishFrame | ErrorFrame {
  return frame.type === 'finish' || frame.type === 'error';
}
