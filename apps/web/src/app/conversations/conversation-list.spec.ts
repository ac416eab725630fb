import { TestBed } from '@angular/core/testing';
import type { ConversationSummary } from '@tokenstream/stream-contracts';
import { ConversationList, UNDO_DELETE_MS } from './conversation-list';
import { ConversationsApi, ConversationsApiError } from '../api/conversations-api';
import { summary } from '../api/testing/conversation-builders';
import { FakeConversationsApi } from '../api/testing/fake-conversations-api';

/** How long typing must pause before a search is sent (the list's own debounce). */
const SEARCH_PAUSE_MS = 250;

const minutes = (count: number): number => count * 60_000;

describe('ConversationList', () => {
  let api: FakeConversationsApi;
  let list: ConversationList;

  const titles = () => list.conversations().map((c) => c.title);

  function create(conversations: ConversationSummary[]): void {
    api = new FakeConversationsApi({ conversations, pageSize: 2 });
    TestBed.configureTestingModule({ providers: [{ provide: ConversationsApi, useValue: api }] });
    list = TestBed.inject(ConversationList);
  }

  const THREE = [
    summary('a', 'Alpha', minutes(1)),
    summary('b', 'Beta', minutes(2)),
    summary('c', 'Gamma', minutes(3)),
  ];

  afterEach(() => jest.useRealTimers());

  describe('loading', () => {
    it('loads the first page, newest first, and says there is more', async () => {
      create([
        summary('old', 'Old', minutes(60)),
        summary('new', 'New', minutes(1)),
        summary('mid', 'Mid', minutes(30)),
      ]);

      const loading = list.refresh();
      expect(list.loading()).toBe(true);
      await loading;

      expect(titles()).toEqual(['New', 'Mid']);
      expect(list.hasMore()).toBe(true);
      expect(list.loading()).toBe(false);
      expect(list.groups().map((g) => g.label)).toEqual(['Today']);
    });

    it('adds the next page after the last, and stops at the end', async () => {
      create(THREE);
      await list.refresh();

      await list.loadMore();

      expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
      expect(list.hasMore()).toBe(false);
      await list.loadMore();
      expect(titles()).toEqual(['Alpha', 'Beta', 'Gamma']);
    });

    it('starts from the first page again on refresh', async () => {
      create(THREE);
      await list.refresh();
      await list.loadMore();
      api.conversations.delete('a');

      await list.refresh();

      expect(titles()).toEqual(['Beta', 'Gamma']);
      expect(list.hasMore()).toBe(false);
    });

    it('says when the list cannot be loaded, keeps what it showed, and recovers', async () => {
      create(THREE);
      await list.refresh();
      api.failure = new TypeError('Failed to fetch');

      await list.refresh();

      expect(list.failed()).toBe(true);
      expect(titles()).toEqual(['Alpha', 'Beta']);
      expect(list.loading()).toBe(false);
      api.failure = undefined;
      await list.refresh();
      expect(list.failed()).toBe(false);
    });

    it('drops the answer to a load that a newer one replaced', async () => {
      create(THREE);
      let release = (): void => undefined;
      api.gate = new Promise<void>((resolve) => (release = resolve));
      const first = list.refresh();
      list.query.set('gam');

      const second = list.refresh();
      release();
      await Promise.all([first, second]);

      expect(titles()).toEqual(['Gamma']);
      expect(list.failed()).toBe(false);
      expect(list.loading()).toBe(false);
    });
  });

  describe('search', () => {
    it('sends the words once typing pauses, and shows the matches', async () => {
      jest.useFakeTimers();
      create(THREE);
      await list.refresh();

      list.search('g');
      list.search('ga');
      list.search('gam');
      await jest.advanceTimersByTimeAsync(SEARCH_PAUSE_MS - 1);
      expect(titles()).toEqual(['Alpha', 'Beta']);
      expect(list.query()).toBe('gam');

      await jest.advanceTimersByTimeAsync(1);

      expect(titles()).toEqual(['Gamma']);
      expect(api.queries).toEqual([undefined, 'gam']);
    });

    it('lists everything again when the search is cleared, asking for no query', async () => {
      jest.useFakeTimers();
      create(THREE);
      list.search('gam');
      await jest.advanceTimersByTimeAsync(SEARCH_PAUSE_MS);

      list.search('   ');
      await jest.advanceTimersByTimeAsync(SEARCH_PAUSE_MS);

      expect(titles()).toEqual(['Alpha', 'Beta']);
      expect(api.queries).toEqual(['gam', undefined]);
    });

    it('loads the next page of the matches, not of everything', async () => {
      jest.useFakeTimers();
      create([
        ...THREE,
        summary('d', 'Gamma two', minutes(4)),
        summary('e', 'Gamma three', minutes(5)),
      ]);
      list.search('gamma');
      await jest.advanceTimersByTimeAsync(SEARCH_PAUSE_MS);

      await list.loadMore();

      expect(titles()).toEqual(['Gamma', 'Gamma two', 'Gamma three']);
    });
  });

  describe('touch', () => {
    it('moves a conversation that got a new turn to the top', async () => {
      create(THREE);
      await list.refresh();
      const before = Date.now();

      list.touch('b');

      expect(titles()).toEqual(['Beta', 'Alpha']);
      expect(Date.parse(list.conversations()[0]?.updatedAt ?? '')).toBeGreaterThanOrEqual(before);
    });

    it('adds a new conversation at the top, titled after its first message', async () => {
      create(THREE);
      await list.refresh();

      list.touch('z', 'What is new?');

      expect(titles()).toEqual(['What is new?', 'Alpha', 'Beta']);
    });

    it('adds nothing for a conversation it does not show and no title', async () => {
      create(THREE);
      await list.refresh();

      list.touch('c');

      expect(titles()).toEqual(['Alpha', 'Beta']);
    });
  });

  describe('rename', () => {
    it('renames it on the api, and shows the title the api kept', async () => {
      create(THREE);
      await list.refresh();

      await list.rename('b', 'Better');

      expect(titles()).toEqual(['Alpha', 'Better']);
      expect(api.conversations.get('b')?.title).toBe('Better');
    });

    it('keeps the old title and rejects when the api refuses', async () => {
      create(THREE);
      await list.refresh();
      api.failure = new ConversationsApiError(503, 'Unavailable.');

      await expect(list.rename('b', 'Better')).rejects.toBeInstanceOf(ConversationsApiError);
      expect(titles()).toEqual(['Alpha', 'Beta']);
    });
  });

  describe('delete', () => {
    beforeEach(async () => {
      jest.useFakeTimers();
      create(THREE);
      await list.refresh();
    });

    it('hides it at once and deletes it on the api only once the undo time is up', async () => {
      const beta = list.conversations()[1] as ConversationSummary;

      list.delete(beta);

      expect(titles()).toEqual(['Alpha']);
      expect(list.pendingDelete()?.conversation).toEqual(beta);
      await jest.advanceTimersByTimeAsync(UNDO_DELETE_MS - 1);
      expect(api.conversations.has('b')).toBe(true);

      await jest.advanceTimersByTimeAsync(1);

      expect(api.conversations.has('b')).toBe(false);
      expect(list.pendingDelete()).toBeUndefined();
      expect(titles()).toEqual(['Alpha']);
    });

    it('brings it back in its place on undo, and deletes nothing', async () => {
      list.delete(list.conversations()[0] as ConversationSummary);

      list.undoDelete();
      await jest.advanceTimersByTimeAsync(UNDO_DELETE_MS);

      expect(titles()).toEqual(['Alpha', 'Beta']);
      expect(list.pendingDelete()).toBeUndefined();
      expect(api.conversations.has('a')).toBe(true);
    });

    it('deletes the first at once when a second is deleted', async () => {
      const [alpha, beta] = list.conversations() as ConversationSummary[];

      list.delete(alpha as ConversationSummary);
      list.delete(beta as ConversationSummary);
      await jest.advanceTimersByTimeAsync(0);

      expect(api.conversations.has('a')).toBe(false);
      expect(api.conversations.has('b')).toBe(true);
      expect(list.pendingDelete()?.conversation.id).toBe('b');
      expect(titles()).toEqual([]);
    });

    it('deletes now, outliving the page, on commitDelete(true)', async () => {
      list.delete(list.conversations()[0] as ConversationSummary);

      list.commitDelete(true);
      await jest.advanceTimersByTimeAsync(0);

      expect(api.conversations.has('a')).toBe(false);
      expect(api.deletes).toEqual([{ id: 'a', keepalive: true }]);
      expect(list.pendingDelete()).toBeUndefined();
    });

    it('shows it again when the api could not delete it', async () => {
      api.failure = new TypeError('Failed to fetch');
      list.delete(list.conversations()[1] as ConversationSummary);

      await jest.advanceTimersByTimeAsync(UNDO_DELETE_MS);

      expect(titles()).toEqual(['Alpha', 'Beta']);
      expect(api.conversations.has('b')).toBe(true);
    });

    it('does not show it again when it was already gone from the api (deleted elsewhere)', async () => {
      api.conversations.delete('b');
      list.delete(list.conversations()[1] as ConversationSummary);

      await jest.advanceTimersByTimeAsync(UNDO_DELETE_MS);

      expect(titles()).toEqual(['Alpha']);
    });

    it('keeps it hidden when the list is loaded again before the undo time is up', async () => {
      list.delete(list.conversations()[0] as ConversationSummary);

      await list.refresh();

      expect(titles()).toEqual(['Beta']);
    });
  });
});
