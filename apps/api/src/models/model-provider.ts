import type { ChatMessage, FinishReason, ProviderKind, Usage } from '@tokenstream/stream-contracts';
import type { PushSink } from '../shared/push-sink';
import type { TraceSpan } from '../tracing/trace-span';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';

/**
 * A `/v1/chat/completions` body as the caller sent it, every parameter included; tokenstream sets
 * only `model` (the upstream's name for it) and the streaming options when it forwards it.
 */
export type OpenAiBody = Omit<ChatCompletionCreateParamsStreaming, 'stream'> &
  Record<string, unknown>;

/** What a provider is asked to generate: the request with its model already resolved. */
export interface ModelRequest {
  model: string;
  /** The conversation's text: what a `/v1` body's messages say, for the demo model and estimates. */
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Set for `/v1/chat/completions`: the body to pass through; the provider then yields `chunks`. */
  openAiBody?: OpenAiBody;
  /** The span of the request that asked for it, when traced: each upstream call is its child. */
  trace?: TraceSpan;
}

/**
 * One step of a provider's reply: a piece of text (or, for a `/v1` request, the upstream's chunks
 * as they came, with the text they carry), or the end with its reason and usage.
 */
export type ModelEvent =
  | { type: 'delta'; text: string }
  /** A piece of a reasoning model's thinking, before its text. */
  | { type: 'reasoning'; text: string }
  | { type: 'chunks'; chunks: ChatCompletionChunk[]; text: string }
  /** Which deployment (and model: a fallback's, maybe) answers, just before its first event. */
  | { type: 'served'; deployment: string; model: string }
  | { type: 'finish'; finishReason: Exclude<FinishReason, 'cancelled'>; usage?: Usage };

/** Where a provider pushes a reply's events. */
export type ModelSink = PushSink<ModelEvent>;

/**
 * A source of streamed replies. `stream` starts one and returns at once; the reply is pushed into
 * `sink` as it comes, in the same turn as the upstream's bytes that carry it: deltas, then exactly
 * one `finish`, then `done`. A failure ends it with `fail` (the caller turns it into an `error`
 * frame). When `signal` aborts, it stops at once, releasing what it holds (the upstream socket),
 * pushes nothing more, and ends with `done`.
 */
export abstract class ModelProvider {
  abstract readonly kind: ProviderKind;
  abstract stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void;
}
