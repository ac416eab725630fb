import { z } from 'zod';

/** Who wrote a message in the conversation. */
export type ChatRole = 'system' | 'user' | 'assistant';

/** One message of the conversation sent with a request. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/**
 * Where a turn goes in a conversation the server keeps. With it, `messages` holds only what is new:
 * one `user` message to send, or none to generate another reply to `parentId` (a regenerate). The
 * server builds what the model reads from the conversation's branch up to `parentId`.
 */
export interface ConversationTurn {
  /** The conversation to add to; absent: a new one is made, titled after the first message. */
  id?: string;
  /**
   * The message the turn follows: the last message of the branch being continued, a sibling's
   * parent (an edit), or the user message to answer again (a regenerate). Absent: the root.
   */
  parentId?: string;
}

/** The body of `POST /api/chat/stream`. */
export interface ChatRequest {
  messages: ChatMessage[];
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Keep this turn in a conversation; absent, nothing is stored (a temporary chat, a service). */
  conversation?: ConversationTurn;
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

/** The ids the server makes (UUIDs): anything else cannot name a conversation or a message. */
const uuid = z.uuid({ error: 'must be an id the server made (a UUID)' });

const conversationTurnSchema = z.strictObject({
  id: uuid.optional(),
  parentId: uuid.optional(),
});

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
    conversation: conversationTurnSchema.optional(),
  })
  .superRefine((request, ctx) => {
    const { conversation, messages } = request;
    if (!conversation && messages.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['messages'],
        message: 'must hold at least one message',
      });
    }
    if (conversation && (messages.length > 1 || messages.some((m) => m.role !== 'user'))) {
      ctx.addIssue({
        code: 'custom',
        path: ['messages'],
        message:
          'must hold only the new user message when a conversation is given (the server keeps the rest)',
      });
    }
    if (conversation && messages.length === 0 && !conversation.parentId) {
      ctx.addIssue({
        code: 'custom',
        path: ['conversation', 'parentId'],
        message: 'must name the user message to answer again when no new message is sent',
      });
    }
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

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

/** The outcome of {@link parseWithSchema}: the checked value, or every problem found. */
export type SchemaParseResult<T> =
  { ok: true; value: T } | { ok: false; problems: RequestProblem[] };

/** Checks untrusted input against a schema, naming every problem found (one wording for all). */
export function parseWithSchema<T>(schema: z.ZodType<T>, input: unknown): SchemaParseResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
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

/** Checks an untrusted body against the schema and the limits, naming every problem found. */
export function parseChatRequest(input: unknown): ChatRequestParseResult {
  const result = parseWithSchema(chatRequestSchema, input);
  return result.ok ? { ok: true, request: result.value } : result;
}
