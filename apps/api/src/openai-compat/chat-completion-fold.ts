import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessage,
} from 'openai/resources/chat/completions';

type Delta = ChatCompletionChunk.Choice.Delta & Record<string, unknown>;
type ToolCallDelta = NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number];
type ToolCall = NonNullable<ChatCompletionMessage['tool_calls']>[number] & {
  function: { name: string; arguments: string };
};

/** One choice as it accumulates. */
interface ChoiceSoFar {
  message: Record<string, unknown> & { tool_calls?: ToolCall[] };
  logprobs: { content: unknown[]; refusal: unknown[] } | null;
  finishReason: ChatCompletion.Choice['finish_reason'] | null;
}

/**
 * Folds the `chat.completion.chunk`s of one reply into the `chat.completion` OpenAI would have
 * answered whole, generically, so that fields it does not name survive too: a delta's text fields
 * (`content`, `refusal`, `reasoning_content`, any other) are concatenated, tool calls are joined
 * by `index` (their `arguments` concatenated), other lists (`annotations`) and log probabilities
 * appended, anything else taken as last sent; the fields a whole answer carries empty
 * (`refusal: null`, `annotations: []`) are there too. The non-streamed answer is made by this fold over the very chunks a stream sends.
 */
export class ChatCompletionFold {
  private readonly choices = new Map<number, ChoiceSoFar>();
  private envelope: Omit<ChatCompletionChunk, 'choices' | 'object' | 'usage'> | undefined;
  private usage: ChatCompletion['usage'];

  add(chunk: ChatCompletionChunk): void {
    const { choices, usage, object: _object, ...envelope } = chunk;
    this.envelope = { ...this.envelope, ...envelope };
    if (usage) this.usage = usage;
    for (const choice of choices ?? []) this.addChoice(choice);
  }

  /** The text of every choice so far (for an estimate of the usage when the upstream sent none). */
  get text(): string {
    return [...this.choices.values()]
      .map((choice) =>
        typeof choice.message['content'] === 'string' ? choice.message['content'] : '',
      )
      .join('');
  }

  /** The whole completion; `usage` is the upstream's, or `fallbackUsage` when it sent none. */
  completion(fallbackUsage: ChatCompletion['usage']): ChatCompletion {
    const envelope = this.envelope ?? { id: '', created: 0, model: '' };
    return {
      ...envelope,
      object: 'chat.completion',
      choices: [...this.choices.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, choice]) => ({
          index,
          // What OpenAI's whole answer always carries, empty or not, in its order.
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            annotations: [],
            ...choice.message,
          } as ChatCompletionMessage,
          logprobs: (choice.logprobs && {
            content: choice.logprobs.content,
            // As OpenAI answers a reply that refused nothing: `null`, not an empty list.
            refusal: choice.logprobs.refusal.length > 0 ? choice.logprobs.refusal : null,
          }) as ChatCompletion.Choice['logprobs'],
          finish_reason: choice.finishReason ?? 'stop',
        })),
      usage: this.usage ?? fallbackUsage,
    };
  }

  private addChoice(choice: ChatCompletionChunk.Choice): void {
    let soFar = this.choices.get(choice.index);
    if (!soFar) {
      soFar = { message: {}, logprobs: null, finishReason: null };
      this.choices.set(choice.index, soFar);
    }
    for (const [key, value] of Object.entries((choice.delta ?? {}) as Delta)) {
      if (value === null || value === undefined) continue;
      if (key === 'tool_calls') {
        soFar.message.tool_calls = joinToolCalls(
          soFar.message.tool_calls ?? [],
          value as ToolCallDelta[],
        );
      } else if (typeof value === 'string' && key !== 'role') {
        const before = soFar.message[key];
        soFar.message[key] = (typeof before === 'string' ? before : '') + value;
      } else if (Array.isArray(value)) {
        // A list a delta carries (`annotations`: a search model's citations) holds what is new.
        const before = soFar.message[key];
        soFar.message[key] = [...(Array.isArray(before) ? before : []), ...value];
      } else {
        soFar.message[key] = value;
      }
    }
    if (choice.logprobs) {
      soFar.logprobs ??= { content: [], refusal: [] };
      soFar.logprobs.content.push(...(choice.logprobs.content ?? []));
      soFar.logprobs.refusal.push(...(choice.logprobs.refusal ?? []));
    }
    if (choice.finish_reason) soFar.finishReason = choice.finish_reason;
  }
}

/** Tool calls so far with the pieces of one delta joined in, by each call's `index`. */
function joinToolCalls(calls: ToolCall[], deltas: ToolCallDelta[]): ToolCall[] {
  for (const delta of deltas) {
    const call = (calls[delta.index] ??= {
      id: '',
      type: 'function',
      function: { name: '', arguments: '' },
    });
    if (delta.id) call.id = delta.id;
    if (delta.type) call.type = delta.type;
    if (delta.function?.name) call.function.name += delta.function.name;
    if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
  }
  return calls;
}
