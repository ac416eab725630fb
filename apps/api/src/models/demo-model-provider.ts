import type { Usage } from '@tokenstream/stream-contracts';
import { DemoChunks } from './demo-chunks';
import { demoReply, demoTokens } from './demo-reply';
import { ModelProvider, type ModelRequest, type ModelSink } from './model-provider';

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

  stream(request: ModelRequest, signal: AbortSignal, sink: ModelSink): void {
    const tokens = demoTokens(demoReply(request.messages));
    const limit = Math.min(request.maxTokens ?? Infinity, tokens.length);
    // A `/v1` request gets OpenAI's chunks, as from any upstream.
    const chunks = request.openAiBody ? new DemoChunks(request.model) : undefined;
    let sent = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      sink.done();
    };
    const finish = () => {
      signal.removeEventListener('abort', onAbort);
      const promptTokens = estimateTokens(request.messages.map((m) => m.content).join('\n'));
      const usage: Usage = {
        promptTokens,
        completionTokens: sent,
        totalTokens: promptTokens + sent,
      };
      const finishReason = sent < tokens.length ? 'length' : 'stop';
      if (chunks) sink.next({ type: 'chunks', chunks: chunks.end(finishReason, usage), text: '' });
      sink.next({ type: 'finish', finishReason, usage });
      sink.done();
    };
    // One token per tick of the model's pace, each on a timer of its own.
    const tick = () => {
      const token = tokens[sent];
      sent += 1;
      if (chunks) sink.next({ type: 'chunks', chunks: [chunks.text(token)], text: token });
      else sink.next({ type: 'delta', text: token });
      // The sink may have stopped the reply as it took the token (a reply grown too large).
      if (!signal.aborted) next();
    };
    const next = () => {
      if (sent < limit) timer = setTimeout(tick, this.tokenDelayMs);
      else finish();
    };
    if (signal.aborted) return sink.done();
    signal.addEventListener('abort', onAbort, { once: true });
    next();
  }
}
