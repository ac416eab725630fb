import { z } from 'zod';
import type { ErrorCode } from './error-codes';
import { FINISH_REASONS, type FinishReason, type Usage } from './frames';

const isoTime = z.string().describe('An ISO 8601 time, e.g. 2026-12-04T18:52:23.000Z');
const id = z.uuid();
const nullableCount = z.number().int().nullable();

/**
 * Where a kept message stands: `generating` while its reply streams (join it by `streamId`);
 * `complete`, `cancelled` (stopped, the text so far kept) and `failed` (the text so far and
 * `errorCode`) once it ended.
 */
export const messageStatusSchema = z.enum(['generating', 'complete', 'cancelled', 'failed']);

/** One message of a kept conversation: a node of its tree. */
export const conversationMessageSchema = z.object({
  id,
  parentId: id.nullable().describe('The message it follows; null for a first message.'),
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  reasoning: z
    .string()
    .describe("A reasoning model's thinking before `content`; empty for other messages."),
  status: messageStatusSchema,
  model: z.string().nullable().describe('The model that wrote an assistant message.'),
  streamId: id
    .nullable()
    .describe("The stream that carries (or carried) an assistant message's reply."),
  finishReason: z.enum(FINISH_REASONS as [FinishReason, ...FinishReason[]]).nullable(),
  errorCode: z.string().nullable().describe('Why a failed reply failed: an `ErrorCode`.'),
  usage: z
    .object({
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      totalTokens: z.number().int(),
    })
    .nullable(),
  ttftMs: nullableCount.describe("Milliseconds to the reply's first text."),
  durationMs: nullableCount.describe("Milliseconds to the reply's end."),
  createdAt: isoTime,
});

/** A conversation as the list shows it. */
export const conversationSummarySchema = z.object({
  id,
  title: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime.describe(
    "When a message was last added or the title changed: the list's order.",
  ),
});

/** A conversation with every message of every branch. */
export const conversationSchema = conversationSummarySchema.extend({
  activeLeafId: id.nullable().describe('The last message of the branch shown last.'),
  messages: z
    .array(conversationMessageSchema)
    .describe("Oldest first; each message's `parentId` names its place in the tree."),
});

/** One page of `GET /api/conversations`, newest first. */
export const conversationPageSchema = z.object({
  conversations: z.array(conversationSummarySchema),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` for the next page; null on the last.'),
});

export type MessageStatus = z.infer<typeof messageStatusSchema>;
export type ConversationMessage = Omit<
  z.infer<typeof conversationMessageSchema>,
  'errorCode' | 'usage'
> & { errorCode: ErrorCode | null; usage: Usage | null };
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;
export type Conversation = ConversationSummary & {
  activeLeafId: string | null;
  messages: ConversationMessage[];
};
export type ConversationPage = z.infer<typeof conversationPageSchema>;

/** Bounds of the conversation routes' inputs. */
export const ConversationLimits = {
  maxTitleChars: 200,
  maxQueryChars: 200,
  defaultPageSize: 30,
  maxPageSize: 100,
} as const;

const C = ConversationLimits;

/** The body of `PATCH /api/conversations/:id`: a new title, the branch shown, or both. */
export const conversationPatchSchema = z
  .strictObject({
    title: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(C.maxTitleChars, { error: `must be at most ${C.maxTitleChars} characters` })
      .optional(),
    activeLeafId: z.uuid({ error: 'must be a message id' }).optional(),
  })
  .refine((patch) => patch.title !== undefined || patch.activeLeafId !== undefined, {
    error: 'must change the title, the active branch, or both',
  });

/** A checked {@link conversationPatchSchema}. */
export type ConversationPatch = z.infer<typeof conversationPatchSchema>;

/** The query of `GET /api/conversations`. */
export const conversationListQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: 'must be at least 1' })
        .max(C.maxPageSize, { error: `must be at most ${C.maxPageSize}` }),
    )
    .optional(),
  cursor: z.string().max(200, { error: 'is not a cursor this api made' }).optional(),
  /** Words to find in titles and message text (case-insensitive). */
  q: z
    .string()
    .max(C.maxQueryChars, { error: `must be at most ${C.maxQueryChars} characters` })
    .optional(),
});

/** A checked {@link conversationListQuerySchema}. */
export type ConversationListQuery = z.infer<typeof conversationListQuerySchema>;
