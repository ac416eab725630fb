import { ComponentFixture, TestBed } from '@angular/core/testing';
import { ConversationList, UNDO_DELETE_MS } from './conversation-list';
import { ConversationSidebar } from './conversation-sidebar';
import { ConversationsApi, ConversationsApiError } from '../api/conversations-api';
import { summary } from '../api/testing/conversation-builders';
import { FakeConversationsApi } from '../api/testing/fake-conversations-api';

const DAY_MS = 86_400_000;

const CONVERSATIONS = [
  summary('a', 'Alpha', 2 * 60_000),
  summary('b', 'Beta', 60_000),
  summary('c', 'Gamma', 3 * DAY_MS),
];

describe('ConversationSidebar', () => {
  let api: FakeConversationsApi;
  let fixture: ComponentFixture<ConversationSidebar>;
  let page: HTMLElement;
  let opened: string[];
  let newChats: boolean[];

  async function create(
    conversations = CONVERSATIONS,
    currentId?: string,
    configure: (fake: FakeConversationsApi) => void = () => undefined,
  ): Promise<void> {
    api = new FakeConversationsApi({ conversations });
    configure(api);
    TestBed.configureTestingModule({ providers: [{ provide: ConversationsApi, useValue: api }] });
    fixture = TestBed.createComponent(ConversationSidebar);
    fixture.componentRef.setInput('currentId', currentId);
    page = fixture.nativeElement as HTMLElement;
    opened = [];
    newChats = [];
    fixture.componentInstance.opened.subscribe((id) => opened.push(id));
    fixture.componentInstance.newChat.subscribe((temporary) => newChats.push(temporary));
    await settle();
  }

  /** Lets the fake api answer and the view render what changed. */
  async function settle(): Promise<void> {
    if (fakeTime) await jest.advanceTimersByTimeAsync(0);
    else await new Promise((resolve) => setTimeout(resolve, 0));
    await fixture.whenStable();
  }

  /** Makes time pass only when the test says so (the undo time, the search debounce). */
  let fakeTime = false;
  function useFakeTime(): void {
    fakeTime = true;
    // Microtasks stay real: Angular's scheduling and the fake api's promises run on them.
    jest.useFakeTimers({
      doNotFake: ['queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame'],
    });
  }

  /** Lets `ms` pass, then renders what changed. */
  async function pass(ms: number): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
    await fixture.whenStable();
  }

  afterEach(() => {
    fakeTime = false;
    jest.useRealTimers();
  });

  const byTestId = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = page) =>
    root.querySelector<T>(`[data-testid="${id}"]`);
  const items = () => [...page.querySelectorAll<HTMLElement>('[data-testid="conversation"]')];
  const item = (title: string) =>
    items().find((li) => li.textContent?.includes(title)) as HTMLElement;
  const titles = () =>
    [...page.querySelectorAll('[data-testid="open-conversation"]')].map((b) =>
      b.textContent?.trim(),
    );

  async function startRename(title: string): Promise<HTMLInputElement> {
    byTestId('rename', item(title))?.click();
    await settle();
    return byTestId<HTMLInputElement>('rename-input') as HTMLInputElement;
  }

  function press(target: HTMLElement, key: string): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
    return event;
  }

  it('lists the conversations newest first under the day they were last updated', async () => {
    await create();

    const groups = [...page.querySelectorAll('section.group')].map((section) => [
      section.querySelector('h2')?.textContent?.trim(),
      [...section.querySelectorAll('[data-testid="open-conversation"]')].map((b) =>
        b.textContent?.trim(),
      ),
    ]);
    expect(groups).toEqual([
      ['Today', ['Beta', 'Alpha']],
      ['Previous 7 days', ['Gamma']],
    ]);
  });

  it('opens a conversation when it is clicked, and marks the one shown', async () => {
    await create(CONVERSATIONS, 'a');

    byTestId('open-conversation', item('Beta'))?.click();

    expect(opened).toEqual(['b']);
    expect(byTestId('open-conversation', item('Alpha'))?.getAttribute('aria-current')).toBe('page');
    expect(byTestId('open-conversation', item('Beta'))?.hasAttribute('aria-current')).toBe(false);
  });

  it('asks for a new chat, kept or temporary', async () => {
    await create();

    byTestId('new-chat')?.click();
    byTestId('temporary-chat')?.click();

    expect(newChats).toEqual([false, true]);
  });

  describe('rename', () => {
    it('saves the new title on Enter, on the api and in the list', async () => {
      await create();
      const input = await startRename('Beta');
      expect(input.value).toBe('Beta');

      input.value = '  Better title ';
      press(input, 'Enter');
      await settle();

      expect(byTestId('rename-input')).toBeNull();
      expect(titles()).toEqual(['Better title', 'Alpha', 'Gamma']);
      expect(api.conversations.get('b')?.title).toBe('Better title');
    });

    it('saves the new title when the field loses focus', async () => {
      await create();
      const input = await startRename('Alpha');

      input.value = 'Renamed';
      input.dispatchEvent(new FocusEvent('blur'));
      await settle();

      expect(titles()).toContain('Renamed');
      expect(api.conversations.get('a')?.title).toBe('Renamed');
    });

    it('cancels on Escape, keeping the title, and the key goes no further', async () => {
      await create();
      const reachedPage = jest.fn();
      document.addEventListener('keydown', reachedPage);
      try {
        const input = await startRename('Alpha');

        input.value = 'Not this';
        press(input, 'Escape');
        await settle();

        expect(byTestId('rename-input')).toBeNull();
        expect(titles()).toContain('Alpha');
        expect(api.conversations.get('a')?.title).toBe('Alpha');
        expect(api.renames).toBe(0);
        expect(reachedPage).not.toHaveBeenCalled();
      } finally {
        document.removeEventListener('keydown', reachedPage);
      }
    });

    it('sends nothing for an empty or unchanged title', async () => {
      await create();
      let input = await startRename('Alpha');
      input.value = '   ';
      press(input, 'Enter');
      await settle();
      input = await startRename('Alpha');
      press(input, 'Enter');
      await settle();

      expect(api.renames).toBe(0);
      expect(titles()).toContain('Alpha');
    });

    it('keeps the old title when the api refuses the new one', async () => {
      await create();
      const input = await startRename('Alpha');
      api.failure = new ConversationsApiError(503, 'Unavailable.');

      input.value = 'Renamed';
      press(input, 'Enter');
      await settle();

      expect(titles()).toContain('Alpha');
      expect(byTestId('rename-input')).toBeNull();
    });
  });

  describe('delete', () => {
    it('hides it with an Undo toast, and deletes it on the api once the time is up', async () => {
      useFakeTime();
      await create();

      byTestId('delete', item('Alpha'))?.click();
      await settle();

      expect(titles()).toEqual(['Beta', 'Gamma']);
      expect(byTestId('deleted-toast')?.textContent).toContain('Deleted “Alpha”.');
      expect(api.conversations.has('a')).toBe(true);

      await pass(UNDO_DELETE_MS);

      expect(api.conversations.has('a')).toBe(false);
      expect(byTestId('deleted-toast')).toBeNull();
      expect(titles()).toEqual(['Beta', 'Gamma']);
    });

    it('brings it back on Undo, and the api keeps it', async () => {
      await create(CONVERSATIONS, 'b');

      byTestId('delete', item('Alpha'))?.click();
      await settle();
      byTestId('undo-delete')?.click();
      await settle();

      expect(titles()).toEqual(['Beta', 'Alpha', 'Gamma']);
      expect(byTestId('deleted-toast')).toBeNull();
      TestBed.inject(ConversationList).commitDelete(); // what the undo time's end would do
      await settle();
      expect(api.conversations.has('a')).toBe(true);
    });

    it('shows a new chat when the conversation shown is deleted, and not for another', async () => {
      await create(CONVERSATIONS, 'b');

      byTestId('delete', item('Alpha'))?.click();
      expect(newChats).toEqual([]);
      byTestId('delete', item('Beta'))?.click();

      expect(newChats).toEqual([false]);
    });

    it('opens the conversation shown again when its deletion is undone', async () => {
      await create(CONVERSATIONS, 'b');
      byTestId('delete', item('Beta'))?.click();
      fixture.componentRef.setInput('currentId', undefined); // the page went to a new chat
      await settle();

      byTestId('undo-delete')?.click();

      expect(opened).toEqual(['b']);
    });

    it('leaves the conversation shown as it is when the deletion of another is undone', async () => {
      await create(CONVERSATIONS, 'b');
      byTestId('delete', item('Alpha'))?.click();
      await settle();

      byTestId('undo-delete')?.click();

      expect(opened).toEqual([]);
    });
  });

  describe('search', () => {
    async function search(text: string): Promise<void> {
      const input = byTestId<HTMLInputElement>('search') as HTMLInputElement;
      input.value = text;
      input.dispatchEvent(new Event('input'));
      await settle();
    }

    it('shows the matches once typing pauses', async () => {
      useFakeTime();
      await create();

      await search('amm');
      expect(titles()).toEqual(['Beta', 'Alpha', 'Gamma']);
      await pass(1_000);

      expect(titles()).toEqual(['Gamma']);
    });

    it('says when nothing matches', async () => {
      useFakeTime();
      await create();

      await search('zeta');
      await pass(1_000);

      expect(titles()).toEqual([]);
      expect(byTestId('no-conversations')?.textContent?.trim()).toBe('No conversation matches.');
    });
  });

  it('invites a first conversation when there is none', async () => {
    await create([]);

    expect(byTestId('no-conversations')?.textContent?.trim()).toBe(
      'Your conversations will appear here.',
    );
  });

  it('says when the list could not be loaded, and Try again loads it', async () => {
    await create(CONVERSATIONS, undefined, (fake) => (fake.failure = new TypeError('offline')));
    const empty = byTestId('no-conversations') as HTMLElement;
    expect(empty.textContent).toContain('Conversations could not be loaded.');

    api.failure = undefined;
    empty.querySelector('button')?.click();
    await settle();

    expect(titles()).toEqual(['Beta', 'Alpha', 'Gamma']);
  });

  it('shows more conversations on Show more', async () => {
    await create(CONVERSATIONS, undefined, (fake) => (fake.pageSize = 2));
    expect(titles()).toEqual(['Beta', 'Alpha']);

    const more = [...page.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === 'Show more',
    );
    more?.click();
    await settle();

    expect(titles()).toEqual(['Beta', 'Alpha', 'Gamma']);
    expect(
      [...page.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Show more'),
    ).toBe(false);
  });
});
