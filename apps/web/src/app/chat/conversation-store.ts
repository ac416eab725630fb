import { DOCUMENT, inject, Injectable, InjectionToken } from '@angular/core';
import {
  ChatMessage,
  ChatRequest,
  FINISH_REASONS,
  FinishReason,
} from '@tokenstream/stream-contracts';
import { ChatClientErrorKind } from '@tokenstream/stream-client';
import { AssistantTurn, ReplyError, ReplyStatus, Turn, UserTurn } from './conversation';

/**
 * The `sessionStorage` key of the saved conversation. The version is in the key: a release that
 * changes the shape moves to a new key and never reads an old one as if it were new.
 */
export const CONVERSATION_STORAGE_KEY = 'tokenstream.conversation.v1';

/** At most one write per this many milliseconds while a reply streams. */
export const SAVE_THROTTLE_MS = 500;

/** The reply that was streaming when the conversation was saved: enough to resume it. */
export interface SavedReply {
  /** The assistant turn it fills (the last turn). */
  turnId: number;
  streamId: string;
  /** The id of the last frame whose text is in the saved turn; none: resume from the start. */
  lastEventId?: string;
}

/** What is kept across a reload: the turns, and the reply to resume if one was streaming. */
export interface SavedConversation {
  turns: readonly Turn[];
  active?: SavedReply;
}

/** The storage the conversation lives in: this tab's `sessionStorage` (none where it is denied). */
export const CONVERSATION_STORAGE = new InjectionToken<Storage | undefined>('ConversationStorage', {
  providedIn: 'root',
  factory: () => {
    try {
      return inject(DOCUMENT).defaultView?.sessionStorage ?? undefined;
    } catch {
      return undefined; // Storage disabled by the browser's settings: the chat works, unsaved.
    }
  },
});

/**
 * Keeps the conversation in `sessionStorage`, per tab, so a reload shows it again and picks up the
 * reply that was streaming. Reads are checked field by field: anything that is not exactly what
 * this version wrote (an old shape, a hand edit, a truncated write) is dropped, never trusted.
 */
@Injectable({ providedIn: 'root' })
export class ConversationStore {
  private readonly storage = inject(CONVERSATION_STORAGE);
  private pending: (() => SavedConversation) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSavedAt = Number.NEGATIVE_INFINITY;

  /** The saved conversation, or `undefined` when there is none or it cannot be trusted. */
  load(): SavedConversation | undefined {
    let raw: string | null | undefined;
    try {
      raw = this.storage?.getItem(CONVERSATION_STORAGE_KEY);
    } catch {
      return undefined;
    }
    if (!raw) return undefined;
    const saved = parseSaved(raw);
    if (!saved) this.clear();
    return saved;
  }

  /** Saves now (a turn added, a reply ended, the page hidden), replacing any pending save. */
  save(conversation: SavedConversation): void {
    this.cancelPending();
    this.write(conversation);
  }

  /**
   * Saves soon: at most once per {@link SAVE_THROTTLE_MS}, with the snapshot as it is then, so a
   * reply streaming hundreds of deltas a second costs two writes a second.
   */
  saveSoon(snapshot: () => SavedConversation): void {
    this.pending = snapshot;
    if (this.timer !== undefined) return;
    const waitMs = Math.max(0, this.lastSavedAt + SAVE_THROTTLE_MS - Date.now());
    this.timer = setTimeout(() => this.flush(), waitMs);
  }

  /** Writes the pending {@link saveSoon} snapshot now, if there is one. */
  flush(): void {
    const snapshot = this.pending;
    this.cancelPending();
    if (snapshot) this.write(snapshot());
  }

  /** Forgets the saved conversation. */
  clear(): void {
    this.cancelPending();
    try {
      this.storage?.removeItem(CONVERSATION_STORAGE_KEY);
    } catch {
      // Nothing to do: storage is unavailable.
    }
  }

  private write(conversation: SavedConversation): void {
    this.lastSavedAt = Date.now();
    try {
      this.storage?.setItem(CONVERSATION_STORAGE_KEY, JSON.stringify(conversation));
    } catch {
      // Full or denied: the chat goes on, it just will not survive a reload.
    }
  }

  private cancelPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}

const REPLY_STATUSES: readonly ReplyStatus[] = ['streaming', 'done', 'stopped', 'failed'];
const ERROR_KINDS: readonly (ChatClientErrorKind | 'stream')[] = [
  'unauthenticated',
  'rejected',
  'unavailable',
  'not-a-stream',
  'network',
  'protocol',
  'interrupted',
  'gone',
  'stream',
];
const CHAT_ROLES: readonly ChatMessage['role'][] = ['system', 'user', 'assistant'];

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function optional<T>(value: unknown, check: (value: unknown) => value is T): boolean {
  return value === undefined || check(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isMessage(value: unknown): value is ChatMessage {
  return (
    isRecord(value) &&
    CHAT_ROLES.includes(value['role'] as ChatMessage['role']) &&
    isString(value['content'])
  );
}

function isRequest(value: unknown): value is ChatRequest {
  return (
    isRecord(value) &&
    Array.isArray(value['messages']) &&
    value['messages'].every(isMessage) &&
    optional(value['model'], isString) &&
    optional(value['temperature'], isNumber) &&
    optional(value['maxTokens'], isNumber)
  );
}

function isReplyError(value: unknown): value is ReplyError {
  return (
    isRecord(value) &&
    ERROR_KINDS.includes(value['kind'] as ReplyError['kind']) &&
    isString(value['message']) &&
    typeof value['retryable'] === 'boolean' &&
    optional(value['code'], isString) &&
    optional(value['requestId'], isString) &&
    optional(
      value['problems'],
      (problems): problems is unknown[] =>
        Array.isArray(problems) &&
        problems.every((p) => isRecord(p) && isString(p['path']) && isString(p['message'])),
    )
  );
}

function isUserTurn(value: Fields): value is Fields & UserTurn {
  return value['role'] === 'user' && isId(value['id']) && isString(value['content']);
}

function isAssistantTurn(value: Fields): value is Fields & AssistantTurn {
  return (
    value['role'] === 'assistant' &&
    isId(value['id']) &&
    isRequest(value['request']) &&
    isString(value['text']) &&
    REPLY_STATUSES.includes(value['status'] as ReplyStatus) &&
    optional(value['finishReason'], (reason): reason is FinishReason =>
      FINISH_REASONS.includes(reason as FinishReason),
    ) &&
    optional(value['error'], isReplyError)
  );
}

function isSavedReply(value: unknown): value is SavedReply {
  return (
    isRecord(value) &&
    isId(value['turnId']) &&
    isString(value['streamId']) &&
    value['streamId'] !== '' &&
    optional(value['lastEventId'], isString)
  );
}

/** The conversation in `raw`, or `undefined` unless every part of it is well-formed. */
function parseSaved(raw: string): SavedConversation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !Array.isArray(value['turns'])) return undefined;
  const turns: Turn[] = [];
  const ids = new Set<number>();
  for (const turn of value['turns'] as unknown[]) {
    if (!isRecord(turn) || !(isUserTurn(turn) || isAssistantTurn(turn))) return undefined;
    if (ids.has(turn.id)) return undefined;
    ids.add(turn.id);
    turns.push(turn);
  }
  const active = value['active'];
  if (active !== undefined && !isSavedReply(active)) return undefined;
  const last = turns.at(-1);
  // Only the last turn can still be streaming, and only a streaming turn can be resumed.
  const resumable =
    active !== undefined &&
    last?.role === 'assistant' &&
    last.status === 'streaming' &&
    last.id === active.turnId;
  return resumable ? { turns, active } : { turns };
}
