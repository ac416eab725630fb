import type { Usage } from '@tokenstream/stream-contracts';
import { abortableDelay } from './abortable-delay';
import { DemoChunks } from './demo-chunks';
import { demoReply, demoTokens } from './demo-reply';
import { ModelEvent, ModelProvider, ModelRequest } from './model-provider';

/** A rough count for usage figures: about four characters make a token in English text. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The built-in model used when no upstream is configured: no key, no network, deterministic,
 * streaming at a realistic pace so the product can be tried (and browser-tested) anywhere.
 */
export class DemoModelProvider extends ModelProvider {
  readonly kind = 'demo' as const;

  constructor(private readonly tokenDelayMs: number) {
    super();
  }

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent> {
    const tokens = demoTokens(demoReply(request.messages));
    const limit = request.maxTokens ?? Infinity;
    // A `/v1` request gets OpenAI's chunks, as from any upstream.
    const chunks = request.openAiBody ? new DemoChunks(request.model) : undefined;
    let sent = 0;
    for (const token of tokens) {
      if (sent >= limit) break;
      await abortableDelay(this.tokenDelayMs, signal);
      if (signal.aborted) return;
      if (chunks) yield { type: 'chunks', chunks: [chunks.text(token)], text: token };
      else yield { type: 'delta', text: token };
      sent += 1;
    }
    const promptTokens = estimateTokens(request.messages.map((m) => m.content).join('\n'));
    const usage: Usage = { promptTokens, completionTokens: sent, totalTokens: promptTokens + sent };
    const finishReason = sent < tokens.length ? 'length' : 'stop';
    if (chunks) yield { type: 'chunks', chunks: chunks.end(finishReason, usage), text: '' };
    yield { type: 'finish', finishReason, usage };
  }
}
