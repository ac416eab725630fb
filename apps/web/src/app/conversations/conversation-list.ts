import { computed, inject, Injectable, signal } from '@angular/core';
import type { ConversationSummary } from '@tokenstream/stream-contracts';
import { ConversationsApi, ConversationsApiError } from '../api/conversations-api';
import { groupByDate } from './date-groups';

/** How long a deleted conversation can still be brought back before it is deleted on the api. */
export const UNDO_DELETE_MS = 6_000;

/** How long typing pauses before a search is sent. */
const SEARCH_DEBOUNCE_MS = 250;

/** A deletion that can still be undone. */
export interface PendingDelete {
  conversation: ConversationSummary;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The sidebar's list of kept conversations: a page at a time, newest first, grouped by date;
 * search, rename, and delete with a few seconds to undo.
 */
@Injectable({ providedIn: 'root' })
export class ConversationList {
  private readonly api = inject(ConversationsApi);

  readonly conversations = signal<readonly ConversationSummary[]>([]);
  readonly query = signal('');
  readonly loading = signal(false);
  readonly failed = signal(false);
  readonly hasMore = signal(false);
  readonly pendingDelete = signal<PendingDelete | undefined>(undefined);
  readonly groups = computed(() => groupByDate(this.conversations(), new Date()));

  private cursor: string | undefined;
  private loads: AbortController | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  /** Loads the first page again (for the query typed, if any). */
  async refresh(): Promise<void> {
    await this.load(false);
  }

  async loadMore(): Promise<void> {
    if (this.hasMore()) await this.load(true);
  }

  /** Searches titles and message text, once typing pauses. */
  search(query: string): void {
    this.query.set(query);
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.refresh(), SEARCH_DEBOUNCE_MS);
  }

  /** Moves a conversation to the top (a new turn), or adds it (a new conversation). */
  touch(id: string, title?: string): void {
    const now = new Date().toISOString();
    const known = this.conversations().find((c) => c.id === id);
    if (!known && title === undefined) return;
    const moved = known
      ? { ...known, updatedAt: now }
      : { id, title: title ?? '', createdAt: now, updatedAt: now };
    this.conversations.update((list) => [moved, ...list.filter((c) => c.id !== id)]);
  }

  async rename(id: string, title: string): Promise<void> {
    const renamed = await this.api.rename(id, title);
    this.conversations.update((list) => list.map((c) => (c.id === id ? renamed : c)));
  }

  /** Hides the conversation now and deletes it on the api unless {@link undoDelete} comes first. */
  delete(conversation: ConversationSummary): void {
    this.commitDelete();
    this.conversations.update((list) => list.filter((c) => c.id !== conversation.id));
    const timer = setTimeout(() => this.commitDelete(), UNDO_DELETE_MS);
    this.pendingDelete.set({ conversation, timer });
  }

  undoDelete(): void {
    const pending = this.pendingDelete();
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingDelete.set(undefined);
    this.conversations.update((list) =>
      [...list, pending.conversation].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
    );
  }

  /** Deletes what waits for its undo now (its time is up, another was deleted, the page goes). */
  commitDelete(keepalive = false): void {
    const pending = this.pendingDelete();
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingDelete.set(undefined);
    this.api.delete(pending.conversation.id, keepalive).catch((error: unknown) => {
      // Already gone (deleted elsewhere): deleted all the same.
      if (error instanceof ConversationsApiError && error.status === 404) return;
      // Not deleted after all (offline, api down): show it again rather than pretend.
      this.conversations.update((list) =>
        [...list, pending.conversation].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
      );
    });
  }

  private async load(more: boolean): Promise<void> {
    this.loads?.abort();
    const loads = new AbortController();
    this.loads = loads;
    this.loading.set(true);
    try {
      const page = await this.api.list({
        query: this.query().trim() || undefined,
        cursor: more ? this.cursor : undefined,
        signal: loads.signal,
      });
      if (this.loads !== loads) return;
      const pending = this.pendingDelete()?.conversation.id;
      const shown = page.conversations.filter((c) => c.id !== pending);
      this.conversations.update((list) => (more ? [...list, ...shown] : shown));
      this.cursor = page.nextCursor ?? undefined;
      this.hasMore.set(page.nextCursor !== null);
      this.failed.set(false);
    } catch {
      if (this.loads === loads) this.failed.set(true);
    } finally {
      if (this.loads === loads) this.loading.set(false);
    }
  }
}
