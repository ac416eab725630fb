import type { AppDatabase } from '../database/open-database';
import { newUuidV7 } from '../common/uuid-v7';
import {
  BadCursorError,
  ConversationGoneError,
  ConversationRepository,
  type NewTurn,
} from './conversation-repository';

/**
 * What every database the conversations are kept in must do, run against the embedded PostgreSQL
 * and a real server. `open` gives a migrated, empty database.
 */
export function describeConversationRepository(
  name: string,
  open: () => Promise<AppDatabase>,
): void {
  describe(`${name} (ConversationRepository contract)`, () => {
    let db: AppDatabase;
    let repository: ConversationRepository;
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const tick = () => new Date((clock += 1_000));

    beforeAll(async () => {
      db = await open();
      repository = new ConversationRepository(db);
    });
    afterAll(() => db.destroy());

    /** A turn as the chat route keeps it: a user message and the place of its reply. */
    function turn(owner: string, change: Partial<NewTurn> = {}): NewTurn {
      return {
        owner,
        conversationId: newUuidV7(),
        isNewConversation: true,
        title: 'A question',
        parentId: null,
        userMessage: { id: newUuidV7(), content: 'What is a stream?' },
        reply: { id: newUuidV7(), streamId: newUuidV7(), model: 'demo' },
        at: tick(),
        ...change,
      };
    }

    it('keeps a turn: the conversation, the user message and the reply generating', async () => {
      const first = turn('alice');
      await repository.startTurn(first);
      const conversation = await repository.get('alice', first.conversationId);
      expect(conversation).toMatchObject({
        id: first.conversationId,
        title: 'A question',
        activeLeafId: first.reply.id,
      });
      expect(conversation?.messages).toEqual([
        expect.objectContaining({
          id: first.userMessage?.id,
          parentId: null,
          role: 'user',
          content: 'What is a stream?',
          status: 'complete',
        }),
        expect.objectContaining({
          id: first.reply.id,
          parentId: first.userMessage?.id,
          role: 'assistant',
          content: '',
          status: 'generating',
          streamId: first.reply.streamId,
          model: 'demo',
        }),
      ]);
    });

    it('keeps how a reply ended, once: a later end does not overwrite it', async () => {
      const first = turn('alice');
      await repository.startTurn(first);
      await repository.finishReply(first.reply.id, {
        content: 'Half a rep',
        reasoning: 'Thinking it over',
        status: 'cancelled',
        finishReason: 'cancelled',
        errorCode: null,
        usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
        ttftMs: 12,
        durationMs: 340,
      });
      await repository.finishReply(first.reply.id, {
        content: 'something else',
        reasoning: '',
        status: 'failed',
        finishReason: null,
        errorCode: 'generation_lost',
        usage: null,
        ttftMs: null,
        durationMs: null,
      });
      const reply = (await repository.get('alice', first.conversationId))?.messages[1];
      expect(reply).toMatchObject({
        content: 'Half a rep',
        reasoning: 'Thinking it over',
        status: 'cancelled',
        finishReason: 'cancelled',
        errorCode: null,
        usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
        ttftMs: 12,
        durationMs: 340,
      });
    });

    it('keeps text exactly: any Unicode, quotes and what looks like SQL', async () => {
      const content = "'; drop table messages; -- 🔑 ключ \\ % _ \u0000x".replace('\u0000', '');
      const first = turn('alice', { userMessage: { id: newUuidV7(), content }, title: content });
      await repository.startTurn(first);
      const conversation = await repository.get('alice', first.conversationId);
      expect(conversation?.title).toBe(content);
      expect(conversation?.messages[0]?.content).toBe(content);
    });

    it('hides a conversation from everyone but its owner', async () => {
      const first = turn('alice');
      await repository.startTurn(first);
      const id = first.conversationId;
      expect(await repository.get('mallory', id)).toBeUndefined();
      expect(await repository.exists('mallory', id)).toBe(false);
      expect(await repository.branch('mallory', id, first.reply.id)).toBeUndefined();
      expect(await repository.update('mallory', id, { title: 'mine' }, tick())).toBeUndefined();
      expect(await repository.delete('mallory', id)).toBe(false);
      expect((await repository.list('mallory')).conversations).toEqual([]);
      expect((await repository.get('alice', id))?.title).toBe('A question');
    });

    it('makes branches: an edit is a sibling user message, a regenerate a sibling reply', async () => {
      const first = turn('bob');
      await repository.startTurn(first);
      const userId = first.userMessage?.id as string;
      // Regenerate: a second reply to the same user message.
      const again = turn('bob', {
        conversationId: first.conversationId,
        isNewConversation: false,
        parentId: userId,
        userMessage: undefined,
      });
      await repository.startTurn(again);
      // Edit: a second user message at the root, with its own reply.
      const edit = turn('bob', {
        conversationId: first.conversationId,
        isNewConversation: false,
        parentId: null,
        userMessage: { id: newUuidV7(), content: 'What is a river?' },
      });
      await repository.startTurn(edit);

      const conversation = await repository.get('bob', first.conversationId);
      const children = (parentId: string | null) =>
        conversation?.messages.filter((m) => m.parentId === parentId).map((m) => m.id);
      expect(children(null)).toEqual([userId, edit.userMessage?.id]);
      expect(children(userId)).toEqual([first.reply.id, again.reply.id]);
      expect(conversation?.activeLeafId).toBe(edit.reply.id);

      const branch = await repository.branch('bob', first.conversationId, again.reply.id);
      expect(branch?.map((m) => m.id)).toEqual([userId, again.reply.id]);
    });

    it('follows a long branch from its leaf to the root, in order', async () => {
      const first = turn('carol');
      await repository.startTurn(first);
      let leaf = first.reply.id;
      const ids = [first.userMessage?.id, first.reply.id];
      for (let i = 0; i < 30; i += 1) {
        const next = turn('carol', {
          conversationId: first.conversationId,
          isNewConversation: false,
          parentId: leaf,
          userMessage: { id: newUuidV7(), content: `question ${i}` },
        });
        await repository.startTurn(next);
        ids.push(next.userMessage?.id, next.reply.id);
        leaf = next.reply.id;
      }
      const branch = await repository.branch('carol', first.conversationId, leaf);
      expect(branch?.map((m) => m.id)).toEqual(ids);
    });

    it('refuses a turn in a conversation deleted meanwhile, keeping nothing', async () => {
      const first = turn('dave');
      await repository.startTurn(first);
      await repository.delete('dave', first.conversationId);
      const late = turn('dave', {
        conversationId: first.conversationId,
        isNewConversation: false,
        parentId: null,
      });
      await expect(repository.startTurn(late)).rejects.toThrow();
      expect(await repository.get('dave', first.conversationId)).toBeUndefined();
    });

    it('refuses a turn another owner names: their conversation is not touched', async () => {
      const first = turn('erin');
      await repository.startTurn(first);
      const intruding = turn('mallory', {
        conversationId: first.conversationId,
        isNewConversation: false,
        parentId: null,
      });
      await expect(repository.startTurn(intruding)).rejects.toBeInstanceOf(ConversationGoneError);
      expect((await repository.get('erin', first.conversationId))?.messages).toHaveLength(2);
    });

    it('forgets a turn whose reply never started, and a new conversation with it', async () => {
      const first = turn('frank');
      await repository.startTurn(first);
      const second = turn('frank', {
        conversationId: first.conversationId,
        isNewConversation: false,
        parentId: first.reply.id,
      });
      await repository.startTurn(second);
      await repository.discardTurn(second);
      const conversation = await repository.get('frank', first.conversationId);
      expect(conversation?.messages.map((m) => m.id)).toEqual([
        first.userMessage?.id,
        first.reply.id,
      ]);
      expect(conversation?.activeLeafId).toBe(first.reply.id);
      await repository.discardTurn(first);
      expect(await repository.get('frank', first.conversationId)).toBeUndefined();
    });

    it('renames, shows another branch, and refuses a leaf from elsewhere', async () => {
      const first = turn('grace');
      await repository.startTurn(first);
      const other = turn('grace');
      await repository.startTurn(other);
      const at = tick();
      const renamed = await repository.update(
        'grace',
        first.conversationId,
        { title: 'Renamed' },
        at,
      );
      expect(renamed).toMatchObject({ title: 'Renamed', updatedAt: at.toISOString() });
      const userId = first.userMessage?.id as string;
      await repository.update('grace', first.conversationId, { activeLeafId: userId }, tick());
      expect((await repository.get('grace', first.conversationId))?.activeLeafId).toBe(userId);
      expect(
        await repository.update(
          'grace',
          first.conversationId,
          { activeLeafId: other.reply.id },
          tick(),
        ),
      ).toBe('no-such-message');
    });

    it('lists newest first, a page at a time, without gaps or repeats', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const next = turn('heidi', { title: `chat ${i}` });
        await repository.startTurn(next);
        ids.unshift(next.conversationId);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repository.list('heidi', { limit: 3, cursor });
        expect(page.conversations.length).toBeLessThanOrEqual(3);
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(ids);
    });

    it('keeps the pages stable when conversations share a timestamp', async () => {
      const at = tick();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const next = turn('ivan', { at });
        await repository.startTurn(next);
        ids.push(next.conversationId);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repository.list('ivan', { limit: 2, cursor });
        seen.push(...page.conversations.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(new Set(seen).size).toBe(5);
    });

    it('refuses a cursor it did not make', async () => {
      await expect(repository.list('ivan', { cursor: 'bm90IGEgY3Vyc29y' })).rejects.toBeInstanceOf(
        BadCursorError,
      );
    });

    it('finds conversations by title and by any message text, case-insensitively', async () => {
      const byTitle = turn('judy', { title: 'Kubernetes ingress' });
      const byText = turn('judy', {
        title: 'Other',
        userMessage: { id: newUuidV7(), content: 'how does an INGRESS route?' },
      });
      const neither = turn('judy', { title: 'Lunch' });
      const literal = turn('judy', { title: '100% sure_thing' });
      for (const t of [byTitle, byText, neither, literal]) await repository.startTurn(t);
      const found = async (q: string) =>
        (await repository.list('judy', { q })).conversations.map((c) => c.id).sort();
      expect(await found('ingress')).toEqual(
        [byTitle.conversationId, byText.conversationId].sort(),
      );
      // `%` and `_` are letters here, not wildcards.
      expect(await found('0% s')).toEqual([literal.conversationId]);
      expect(await found('e_t')).toEqual([literal.conversationId]);
      expect(await found('e%t')).toEqual([]);
      expect((await repository.list('mallory', { q: 'ingress' })).conversations).toEqual([]);
    });

    it('deletes a conversation with all its messages', async () => {
      const first = turn('ken');
      await repository.startTurn(first);
      expect(await repository.delete('ken', first.conversationId)).toBe(true);
      expect(await repository.get('ken', first.conversationId)).toBeUndefined();
      expect(await repository.branch('ken', first.conversationId, first.reply.id)).toBeUndefined();
      expect(await repository.delete('ken', first.conversationId)).toBe(false);
    });

    it('deletes what was not updated since the retention cut-off, and nothing newer', async () => {
      const old = turn('liz', { at: new Date('2020-01-01T00:00:00Z') });
      const recent = turn('liz', { at: new Date('2020-03-01T00:00:00Z') });
      await repository.startTurn(old);
      await repository.startTurn(recent);
      const deleted = await repository.deleteUpdatedBefore(new Date('2020-02-01T00:00:00Z'));
      expect(deleted).toBeGreaterThanOrEqual(1);
      expect(await repository.get('liz', old.conversationId)).toBeUndefined();
      expect(await repository.get('liz', recent.conversationId)).toBeDefined();
    });

    it('keeps every turn of racing requests on one conversation', async () => {
      const first = turn('mia');
      await repository.startTurn(first);
      const racing = Array.from({ length: 10 }, () =>
        turn('mia', {
          conversationId: first.conversationId,
          isNewConversation: false,
          parentId: first.reply.id,
        }),
      );
      await Promise.all(racing.map((t) => repository.startTurn(t)));
      const conversation = await repository.get('mia', first.conversationId);
      expect(conversation?.messages).toHaveLength(2 + 20);
    });
  });
}
