import type { ChatMessage, FinishReason, ProviderKind, Usage } from '@tokenstream/stream-contracts';

/** What a provider is asked to generate: the request with its model already resolved. */
export interface ModelRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
}

/** One step of a provider's reply: a piece of text, or the end with its reason and usage. */
export type ModelEvent =
  | { type: 'delta'; text: string }
  | { type: 'finish'; finishReason: Exclude<FinishReason, 'cancelled'>; usage?: Usage };

/**
 * A source of streamed replies. `stream` yields deltas and then exactly one `finish`; when `signal`
 * aborts it stops at once, releasing what it holds (the upstream socket), and yields nothing more.
 * Failures are thrown; the caller turns them into `error` frames.
 */
export abstract class ModelProvider {
  abstract readonly kind: ProviderKind;
  abstract stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent>;
}
