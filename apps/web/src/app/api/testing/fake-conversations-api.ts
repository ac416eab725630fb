import type {
  ChatRequest,
  Conversation,
  ConversationMessage,
  ConversationPage,
  ConversationSummary,
  ReplyPlace,
} from '@tokenstream/stream-contracts';
import { ChatClientError } from '@tokenstream/stream-client';
import { ConversationsApi, ConversationsApiError } from '../conversations-api';
import { assistantMessage, userMessage } from './conversation-builders';
import { jsonCopy } from './json-copy';

/** A turn the fake api accepted: where its messages go, kept once its stream starts. */
export interface Turn {
  place: ReplyPlace;
  isNew: boolean;
  title: string;
  /** The parent of the new user message (or of the reply, for a regenerate). */
  parentId: string | null;
  userText: string | undefined;
  kept: boolean;
}

export interface FakeConversationsApiOptions {
  /** The conversations it has at first, without messages. */
  conversations?: ConversationSummary[];
  /** How many conversations a page of `list` holds. */
  pageSize?: number;
  /** When its clock starts: each time it writes is a second later. Today at 09:00 local by default. */
  startsAt?: Date;
}

/**
 * The conversations api in memory, as the real one behaves: pages newest first, title search,
 * rename and delete; a conversation or message it does not have is a 404; a turn is kept when its
 * stream starts, and its reply when the stream ends.
 */
export class FakeConversationsApi implements Pick<
  ConversationsApi,
  'list' | 'get' | 'rename' | 'showBranch' | 'delete'
> {
  readonly conversations = new Map<string, Conversation>();
  /** The queries of the pages asked for, in order. */
  readonly queries: (string | undefined)[] = [];
  /** How many times a title was changed. */
  renames = 0;
  readonly deletes: { id: string; keepalive: boolean }[] = [];
  /** How many conversations a page of `list` holds. */
  pageSize: number;
  /** When set, every call fails with it (the api down, the session gone). */
  failure: unknown;
  /** While set, answers wait for it. */
  gate: Promise<void> | undefined;
  private readonly startsAt: number;
  private lastId = 0;
  private clock = 0;

  constructor(options: FakeConversationsApiOptions = {}) {
    this.pageSize = options.pageSize ?? 30;
    this.startsAt = (options.startsAt ?? new Date(new Date().setHours(9, 0, 0, 0))).getTime();
    for (const c of options.conversations ?? []) {
      this.conversations.set(c.id, { ...c, activeLeafId: null, messages: [] });
    }
  }

  newId(kind: string): string {
    return `${kind}-${++this.lastId}`;
  }

  /** A second later at each call: the newest is the last made. */
  now(): string {
    return new Date(this.startsAt + this.clock++ * 1000).toISOString();
  }

  /** Keeps a conversation of `messages`, showing `activeLeafId` (the last message by default). */
  seed(title: string, messages: ConversationMessage[], activeLeafId?: string): string {
    const id = this.newId('conv');
    const at = this.now();
    this.conversations.set(id, {
      id,
      title,
      createdAt: at,
      updatedAt: at,
      activeLeafId: activeLeafId ?? messages.at(-1)?.id ?? null,
      messages,
    });
    return id;
  }

  /** The messages the api keeps of `id`, as `role: content (status)` lines. */
  held(id: string | undefined): string[] {
    const conversation = id === undefined ? undefined : this.conversations.get(id);
    return (conversation?.messages ?? []).map((m) => `${m.role}: ${m.content} (${m.status})`);
  }

  async list(
    options: { query?: string; cursor?: string; signal?: AbortSignal } = {},
  ): Promise<ConversationPage> {
    this.queries.push(options.query);
    await this.answer(options.signal);
    const query = options.query?.toLowerCase();
    const matching = [...this.conversations.values()]
      .filter((c) => !query || c.title.toLowerCase().includes(query))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    const from = Number(options.cursor ?? 0);
    const to = from + this.pageSize;
    return {
      conversations: matching.slice(from, to).map(summaryOf),
      nextCursor: to < matching.length ? String(to) : null,
    };
  }

  async get(id: string, signal?: AbortSignal): Promise<Conversation> {
    await this.answer(signal);
    return jsonCopy(this.find(id));
  }

  async rename(id: string, title: string): Promise<ConversationSummary> {
    await this.answer();
    const conversation = this.find(id);
    this.renames++;
    conversation.title = title;
    conversation.updatedAt = this.now();
    return summaryOf(conversation);
  }

  async showBranch(id: string, activeLeafId: string): Promise<void> {
    await this.answer();
    const conversation = this.find(id);
    if (!conversation.messages.some((m) => m.id === activeLeafId)) {
      throw new ConversationsApiError(404, 'No such conversation.');
    }
    conversation.activeLeafId = activeLeafId;
  }

  async delete(id: string, keepalive = false): Promise<void> {
    this.deletes.push({ id, keepalive });
    await this.answer();
    this.find(id);
    this.conversations.delete(id);
  }

  /** Checks a chat request's turn as the api does: the error it would refuse it with, or the turn. */
  prepare(request: ChatRequest): Turn | ChatClientError | undefined {
    const target = request.conversation;
    if (!target) return undefined;
    const userText = request.messages[0]?.content;
    const conversation = target.id === undefined ? undefined : this.conversations.get(target.id);
    if (target.id !== undefined && !conversation) return refused(404, 'No such conversation.');
    if (target.id === undefined && target.parentId) {
      return refused(400, 'conversation.parentId needs conversation.id');
    }
    const parent = conversation?.messages.find((m) => m.id === target.parentId);
    if (target.parentId && !parent) return refused(404, 'No such conversation.');
    if (userText === undefined && parent?.role !== 'user') {
      return refused(400, 'conversation.parentId must name a user message to answer it again');
    }
    if (userText !== undefined && parent?.role === 'user') {
      return refused(400, 'conversation.parentId must name a reply to add a message');
    }
    const questionId = userText === undefined ? undefined : this.newId('msg');
    return {
      place: {
        id: target.id ?? this.newId('conv'),
        messageId: this.newId('msg'),
        parentId: questionId ?? (target.parentId as string),
      },
      isNew: target.id === undefined,
      title: userText ?? '',
      parentId: target.parentId ?? null,
      userText,
      kept: false,
    };
  }

  /** The stream started: the turn is kept, its reply `generating`. */
  keep(turn: Turn, streamId: string, model: string): void {
    const at = this.now();
    if (turn.isNew) {
      this.conversations.set(turn.place.id, {
        id: turn.place.id,
        title: turn.title,
        createdAt: at,
        updatedAt: at,
        activeLeafId: null,
        messages: [],
      });
    }
    const conversation = this.find(turn.place.id);
    if (turn.userText !== undefined) {
      conversation.messages.push(
        userMessage(turn.place.parentId, turn.parentId, turn.userText, { createdAt: at }),
      );
    }
    conversation.messages.push(
      assistantMessage(turn.place.messageId, turn.place.parentId, '', {
        status: 'generating',
        streamId,
        model,
        createdAt: at,
      }),
    );
    conversation.activeLeafId = turn.place.messageId;
    conversation.updatedAt = at;
    turn.kept = true;
  }

  /** The stream ended: the reply is kept as it ended. */
  end(turn: Turn | undefined, changes: Partial<ConversationMessage>): void {
    if (!turn?.kept) return;
    const message = this.conversations
      .get(turn.place.id)
      ?.messages.find((m) => m.id === turn.place.messageId);
    if (message) Object.assign(message, changes);
  }

  private find(id: string): Conversation {
    const conversation = this.conversations.get(id);
    if (!conversation) throw new ConversationsApiError(404, 'No such conversation.');
    return conversation;
  }

  private async answer(signal?: AbortSignal): Promise<void> {
    if (this.gate) await this.gate;
    signal?.throwIfAborted();
    if (this.failure !== undefined) throw this.failure;
  }
}

function summaryOf({ id, title, createdAt, updatedAt }: Conversation): ConversationSummary {
  return { id, title, createdAt, updatedAt };
}

/** The error the api refuses a chat request with: a 404 for what it does not have, else a 400. */
export function refused(status: number, message: string): ChatClientError {
  return new ChatClientError({
    kind: 'rejected',
    status,
    code: status === 404 ? 'conversation_not_found' : 'invalid_request',
    retryable: false,
    message,
  });
}
