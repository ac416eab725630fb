import type {
  ChatCompletionChunk,
  ChatCompletionMessage,
  ChatCompletionTokenLogprob,
} from 'openai/resources/chat/completions';
import { isJsonObject, type ChatRequest } from './chat-request';
import type { MockOptions } from './mock-options';
import { splitIntoChunks } from './split-into-chunks';

/** One streamed step of the reply: its delta, and its log probabilities when they were asked for. */
export interface PlannedDelta {
  delta: ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
  logprobs: ChatCompletionChunk.Choice.Logprobs | null;
}

/** The whole reply as the model "decided" it: streamed as `deltas`, or answered whole as `message`. */
export interface ReplyPlan {
  deltas: PlannedDelta[];
  finishReason: ChatCompletionChunk.Choice['finish_reason'] & string;
  message: ChatCompletionMessage & { reasoning_content?: string };
  /** Pieces of generated text (reasoning included): the completion tokens the usage reports. */
  completionTokens: number;
}

/** The options that shape a reply. */
export type ReplyOptions = Pick<
  MockOptions,
  'reply' | 'chunks' | 'finishReason' | 'reasoning' | 'refusal' | 'toolCallArguments'
>;

/**
 * What the mock model answers, as real models do:
 * - with `tools` and a last message from the user, a call of the first tool with
 *   `toolCallArguments`, streamed in pieces (`finish_reason: tool_calls`);
 * - after a `tool` message, a reply that quotes the tool's result, so a test sees it arrived;
 * - otherwise `reply`, or `refusal` instead when set;
 * - `reasoning`, when set, streams first as `reasoning_content` (as vLLM and DeepSeek send it);
 * - with `logprobs: true`, every content piece carries its (made-up) log probability.
 */
export function planReply(request: ChatRequest, options: ReplyOptions): ReplyPlan {
  const split = (text: string) => (text ? splitIntoChunks(text, options.chunks) : []);
  const reasoning = split(options.reasoning).map((piece): PlannedDelta => ({
    delta: { reasoning_content: piece },
    logprobs: null,
  }));
  const base = {
    role: 'assistant' as const,
    content: null,
    refusal: null,
    ...(options.reasoning ? { reasoning_content: options.reasoning } : {}),
  };
  const tool = firstToolName(request.body['tools']);
  const last = request.messages.at(-1);
  const lastRole = isJsonObject(last) ? last['role'] : undefined;
  if (tool && lastRole === 'user') {
    const id = `call_${Math.random().toString(36).slice(2, 12)}`;
    const argumentPieces = split(options.toolCallArguments);
    const deltas: PlannedDelta[] = [
      {
        delta: {
          tool_calls: [{ index: 0, id, type: 'function', function: { name: tool, arguments: '' } }],
        },
        logprobs: null,
      },
      ...argumentPieces.map((piece): PlannedDelta => ({
        delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] },
        logprobs: null,
      })),
    ];
    return {
      deltas: [...reasoning, ...deltas],
      finishReason: 'tool_calls',
      message: {
        ...base,
        tool_calls: [
          { id, type: 'function', function: { name: tool, arguments: options.toolCallArguments } },
        ],
      },
      completionTokens: reasoning.length + deltas.length,
    };
  }
  if (options.refusal) {
    const pieces = split(options.refusal).map((piece): PlannedDelta => ({
      delta: { refusal: piece },
      logprobs: null,
    }));
    return {
      deltas: [...reasoning, ...pieces],
      finishReason: 'stop',
      message: { ...base, refusal: options.refusal },
      completionTokens: reasoning.length + pieces.length,
    };
  }
  const text = lastRole === 'tool' ? `The tool answered: ${contentOf(last)}` : options.reply;
  const withLogprobs = request.body['logprobs'] === true;
  const pieces = split(text).map((piece): PlannedDelta => ({
    delta: { content: piece },
    logprobs: withLogprobs ? { content: [tokenLogprob(piece)], refusal: null } : null,
  }));
  return {
    deltas: [...reasoning, ...pieces],
    finishReason: options.finishReason,
    message: { ...base, content: text },
    completionTokens: reasoning.length + pieces.length,
  };
}

function firstToolName(tools: unknown): string | undefined {
  if (!Array.isArray(tools)) return undefined;
  const [first]: unknown[] = tools;
  if (!isJsonObject(first) || !isJsonObject(first['function'])) return undefined;
  const name = first['function']['name'];
  return typeof name === 'string' ? name : undefined;
}

function contentOf(message: unknown): string {
  if (!isJsonObject(message)) return '';
  const { content } = message;
  return typeof content === 'string' ? content : JSON.stringify(content);
}

/** A log probability that depends only on the piece, so a test can compare it end to end. */
function tokenLogprob(token: string): ChatCompletionTokenLogprob {
  const bytes = [...Buffer.from(token, 'utf8')];
  return { token, logprob: -(bytes.length % 7) / 10, bytes, top_logprobs: [] };
}
