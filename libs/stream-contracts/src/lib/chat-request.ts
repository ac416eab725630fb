import { z } from 'zod';

/** Who wrote a message in the conversation. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** One message of the conversation sent with a request. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** The body of `POST /api/chat/stream`. */
export interface ChatRequest {
  messages: ChatMessage[];
  model?: string;
  temperature?: number;
  maxTokens?: number;
}

/** Bounds a request must keep; past any of them it is refused with a `400` that names it. */
export const ChatRequestLimits = {
  maxMessages: 200,
  maxMessageChars: 32_000,
  maxTotalChars: 200_000,
  maxModelChars: 200,
  minTemperature: 0,
  maxTemperature: 2,
  maxTokens: 128_000,
} as const;

const L = ChatRequestLimits;

const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant'], {
    error: 'must be one of "system", "user", "assistant"',
  }),
  content: z
    .string({ error: 'must be a string' })
    .max(L.maxMessageChars, { error: `must be at most ${L.maxMessageChars} characters` }),
});

/** The runtime schema of {@link ChatRequest}; unknown fields are refused rather than ignored. */
export const chatRequestSchema = z
  .strictObject({
    messages: z
      .array(chatMessageSchema, { error: 'must be an array of messages' })
      .min(1, { error: 'must hold at least one message' })
      .max(L.maxMessages, { error: `must hold at most ${L.maxMessages} messages` }),
    model: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty' })
      .max(L.maxModelChars, { error: `must be at most ${L.maxModelChars} characters` })
      .optional(),
    temperature: z
      .number({ error: 'must be a number' })
      .min(L.minTemperature, { error: `must be at least ${L.minTemperature}` })
      .max(L.maxTemperature, { error: `must be at most ${L.maxTemperature}` })
      .optional(),
    maxTokens: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be at least 1' })
      .max(L.maxTokens, { error: `must be at most ${L.maxTokens}` })
      .optional(),
  })
  .superRefine((request, ctx) => {
    const total = request.messages.reduce((sum, message) => sum + message.content.length, 0);
    if (total > L.maxTotalChars) {
      ctx.addIssue({
        code: 'custom',
        path: ['messages'],
        message: `must hold at most ${L.maxTotalChars} characters in all (got ${total})`,
      });
    }
  }) satisfies z.ZodType<ChatRequest>;

/** One reason a request was refused: where (`messages[2].content`) and what is wrong. */
export interface RequestProblem {
  path: string;
  message: string;
}

/** The outcome of {@link parseChatRequest}. */
export type ChatRequestParseResult =
  { ok: true; request: ChatRequest } | { ok: false; problems: RequestProblem[] };

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

/** Checks an untrusted body against the schema and the limits, naming every problem found. */
export function parseChatRequest(input: unknown): ChatRequestParseResult {
  const result = chatRequestSchema.safeParse(input);
  if (result.success) return { ok: true, request: result.data };
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return {
        path: formatPath(issue.path) || '(body)',
        message: `unknown field(s): ${issue.keys.join(', ')}`,
      };
    }
    return { path: formatPath(issue.path) || '(body)', message: issue.message };
  });
  return { ok: false, problems };
}
