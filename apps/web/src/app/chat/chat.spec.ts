import { ComponentFixture, TestBed } from '@angular/core/testing';
import { ApiPaths, type MeResponse, type ModelsResponse } from '@tokenstream/stream-contracts';
import { ChatClientError } from '@tokenstream/stream-client';
import { Chat } from './chat';
import { ReplyStreams } from '../api/reply-streams';
import { CHAT_STREAM_POLICY, DEFAULT_CHAT_STREAM_POLICY } from '../api/chat-stream-policy';
import { ClientConfig } from '../api/client-config';
import { ConversationsApi } from '../api/conversations-api';
import { assistantMessage, userMessage } from '../api/testing/conversation-builders';
import { FakeReplyStreams } from '../api/testing/fake-reply-streams';
import { FakeConversationsApi } from '../api/testing/fake-conversations-api';

const DEMO: ModelsResponse = { provider: 'demo', defaultModel: 'demo', models: ['demo'] };
const ME: MeResponse = {
  id: 'u-1',
  kind: 'user',
  via: 'proxy',
  name: 'Ada',
  groups: [],
  models: ['demo'],
  embeddingModels: [],
  isAdmin: false,
};

/** The small JSON routes the page loads at start, answered as the api does. */
function stubStartupRoutes(): void {
  globalThis.fetch = (async (input: RequestInfo | URL) => {
    const path = String(input);
    if (path === ApiPaths.models) return Response.json(DEMO);
    if (path === ApiPaths.me) return Response.json(ME);
    if (path === ApiPaths.clientConfig) return Response.json({});
    throw new TypeError(`no such route in this test: ${path}`);
  }) as typeof fetch;
}

describe('Chat', () => {
  const originalFetch = globalThis.fetch;
  let api: FakeConversationsApi;
  let streams: FakeReplyStreams;
  let fixture: ComponentFixture<Chat>;
  let page: HTMLElement;

  beforeEach(() => {
    history.replaceState(null, '', '/');
    stubStartupRoutes();
    api = new FakeConversationsApi();
    streams = new FakeReplyStreams(api);
  });

  afterEach(() => {
    globalThis.fetch = originalFetch;
    history.replaceState(null, '', '/');
  });

  async function create(): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        { provide: ReplyStreams, useValue: streams },
        { provide: ConversationsApi, useValue: api },
        {
          provide: CHAT_STREAM_POLICY,
          useValue: { ...DEFAULT_CHAT_STREAM_POLICY, stopConfirmMs: 50 },
        },
      ],
    });
    fixture = TestBed.createComponent(Chat);
    page = fixture.nativeElement as HTMLElement;
    await TestBed.inject(ClientConfig).load(); // what the page asked for at start-up
    await settle();
  }

  /** Lets the fake api and the start-up routes answer, and the page render what changed. */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await fixture.whenStable();
  }

  const byTestId = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = page) =>
    root.querySelector<T>(`[data-testid="${id}"]`);
  const allByTestId = (id: string) => [
    ...page.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`),
  ];
  const composer = () => byTestId<HTMLTextAreaElement>('composer') as HTMLTextAreaElement;
  const title = () => byTestId('conversation-title')?.textContent?.trim();
  /** The conversation shown, as the user reads it. */
  const shown = () =>
    [...page.querySelectorAll<HTMLElement>('[data-testid="user-message"], app-markdown-view')].map(
      (e) => e.textContent?.trim(),
    );
  const lastReply = () => allByTestId('assistant-message').at(-1) as HTMLElement;
  const sidebarTitles = () => allByTestId('open-conversation').map((b) => b.textContent?.trim());
  const conversationParam = () => new URLSearchParams(location.search).get('c');

  function type(text: string): void {
    composer().value = text;
    composer().dispatchEvent(new Event('input'));
  }

  function press(target: EventTarget, key: string, shiftKey = false): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
    return event;
  }

  async function send(text: string): Promise<void> {
    type(text);
    press(composer(), 'Enter');
    await settle();
  }

  /** Sends `question` and lets the api answer it with `text` in full. */
  async function converse(question: string, text: string): Promise<void> {
    await send(question);
    streams.reply.start();
    streams.reply.write(text);
    streams.reply.finish();
    await settle();
  }

  function seedGreetings(): string {
    return api.seed('Greetings', [
      userMessage('q1', null, 'Hi'),
      assistantMessage('a1', 'q1', 'Hello!'),
    ]);
  }

  describe('the composer', () => {
    it('sends on Enter as a new kept conversation, shows the message and clears itself', async () => {
      await create();
      type('Hello there');

      const enter = press(composer(), 'Enter');
      await settle();

      expect(enter.defaultPrevented).toBe(true);
      expect(streams.requests).toEqual([
        { messages: [{ role: 'user', content: 'Hello there' }], model: 'demo', conversation: {} },
      ]);
      expect(shown()).toEqual(['Hello there', '']);
      expect(composer().value).toBe('');
    });

    it('leaves Shift+Enter to the textarea, a new line', async () => {
      await create();
      type('line one');

      const enter = press(composer(), 'Enter', true);
      await settle();

      expect(enter.defaultPrevented).toBe(false);
      expect(streams.requests).toEqual([]);
    });

    it('sends nothing blank, its Send button disabled', async () => {
      await create();
      type('  \n ');

      press(composer(), 'Enter');
      byTestId('send')?.click();
      await settle();

      expect(streams.requests).toEqual([]);
      expect(byTestId<HTMLButtonElement>('send')?.disabled).toBe(true);
    });

    it('is disabled, with Stop, while a reply streams, and ready again once it ends', async () => {
      await create();
      await send('Tell me a story');

      expect(composer().disabled).toBe(true);
      expect(byTestId('send')).toBeNull();
      expect(byTestId('stop')).not.toBeNull();

      streams.reply.start();
      streams.reply.write('Once upon a time.');
      streams.reply.finish();
      await settle();

      expect(composer().disabled).toBe(false);
      expect(byTestId('stop')).toBeNull();
      expect(shown()).toEqual(['Tell me a story', 'Once upon a time.']);
    });

    it('stops the reply on Escape, keeping its text, marked Stopped', async () => {
      await create();
      await send('Tell me a story');
      const reply = streams.reply;
      reply.start();
      reply.write('Once upon');

      press(document, 'Escape');
      await settle();
      expect(streams.stops).toEqual([reply.streamId]);
      reply.finish('cancelled');
      await settle();

      expect(shown()).toEqual(['Tell me a story', 'Once upon']);
      expect(byTestId('status', lastReply())?.textContent?.trim()).toBe('Stopped');
      expect(composer().disabled).toBe(false);
    });
  });

  describe('the address', () => {
    it('opens the conversation it names on arrival', async () => {
      const id = seedGreetings();
      history.replaceState(null, '', `/?c=${id}`);

      await create();

      expect(shown()).toEqual(['Hi', 'Hello!']);
      expect(title()).toBe('Greetings');
      expect(byTestId('open-conversation')?.getAttribute('aria-current')).toBe('page');
    });

    it('says so when the conversation it names does not exist', async () => {
      history.replaceState(null, '', '/?c=conv-gone');

      await create();

      expect(byTestId('open-error')?.textContent).toBe(
        'This conversation does not exist, or it was deleted.',
      );
    });

    it('names a new conversation once the api kept it, in place of the current entry', async () => {
      await create();
      const entries = history.length;

      await converse('What is new?', 'Not much.');

      const id = [...api.conversations.keys()][0];
      expect(conversationParam()).toBe(id);
      expect(history.length).toBe(entries);
      expect(sidebarTitles()).toEqual(['What is new?']);
      expect(title()).toBe('What is new?');
    });

    it('is cleared, as a new entry, by New chat, which shows an empty chat', async () => {
      const id = seedGreetings();
      history.replaceState(null, '', `/?c=${id}`);
      await create();
      const entries = history.length;

      byTestId('new-chat')?.click();
      await settle();

      expect(conversationParam()).toBeNull();
      expect(history.length).toBe(entries + 1);
      expect(shown()).toEqual([]);
      expect(title()).toBe('New chat');
      await send('Fresh start');
      expect(streams.requests[0]?.conversation).toEqual({});
    });

    it('names the conversation opened from the sidebar, as a new entry', async () => {
      const id = seedGreetings();
      await create();
      const entries = history.length;

      byTestId('open-conversation')?.click();
      await settle();

      expect(conversationParam()).toBe(id);
      expect(history.length).toBe(entries + 1);
      expect(shown()).toEqual(['Hi', 'Hello!']);
    });

    it('shows what it names when the user goes back or forward (popstate)', async () => {
      const greetings = seedGreetings();
      const other = api.seed('Other', [
        userMessage('x1', null, 'Other'),
        assistantMessage('y1', 'x1', 'Yes?'),
      ]);
      history.replaceState(null, '', `/?c=${other}`);
      await create();

      history.replaceState(null, '', `/?c=${greetings}`);
      window.dispatchEvent(new PopStateEvent('popstate'));
      await settle();
      expect(shown()).toEqual(['Hi', 'Hello!']);

      history.replaceState(null, '', '/');
      window.dispatchEvent(new PopStateEvent('popstate'));
      await settle();
      expect(shown()).toEqual([]);
      expect(title()).toBe('New chat');
    });
  });

  describe('a temporary chat', () => {
    it('sends the whole branch each time, keeps nothing, and leaves the address alone', async () => {
      await create();
      byTestId('temporary-chat')?.click();
      await settle();
      expect(title()).toBe('Temporary chat');
      expect(byTestId('temporary-badge')?.textContent).toBe('Not kept');

      await converse('Secret', 'Kept secret.');
      await send('More');

      expect(streams.requests[1]).toEqual({
        messages: [
          { role: 'user', content: 'Secret' },
          { role: 'assistant', content: 'Kept secret.' },
          { role: 'user', content: 'More' },
        ],
        model: 'demo',
      });
      expect(api.conversations.size).toBe(0);
      expect(conversationParam()).toBeNull();
      expect(sidebarTitles()).toEqual([]);
    });
  });

  describe('branches', () => {
    it('sends an edited message as a new version, and moves between the versions', async () => {
      const id = seedGreetings();
      history.replaceState(null, '', `/?c=${id}`);
      await create();

      byTestId('edit')?.click();
      await settle();
      const editor = byTestId<HTMLTextAreaElement>('edit-text') as HTMLTextAreaElement;
      editor.value = 'Hey';
      press(editor, 'Enter');
      await settle();
      streams.reply.start();
      streams.reply.write('Hey yourself.');
      streams.reply.finish();
      await settle();

      expect(streams.requests[0]).toEqual({
        messages: [{ role: 'user', content: 'Hey' }],
        model: 'demo',
        conversation: { id },
      });
      expect(shown()).toEqual(['Hey', 'Hey yourself.']);
      expect(byTestId('branch-position')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
        'Version 2/2',
      );

      byTestId('branch-previous')?.click();
      await settle();

      expect(shown()).toEqual(['Hi', 'Hello!']);
      expect(api.conversations.get(id)?.activeLeafId).toBe('a1');
    });

    it('regenerates a reply as a new version of it', async () => {
      const id = seedGreetings();
      history.replaceState(null, '', `/?c=${id}`);
      await create();

      byTestId('regenerate')?.click();
      await settle();
      streams.reply.start();
      streams.reply.write('Hello again!');
      streams.reply.finish();
      await settle();

      expect(streams.requests[0]).toEqual({
        messages: [],
        model: 'demo',
        conversation: { id, parentId: 'q1' },
      });
      expect(shown()).toEqual(['Hi', 'Hello again!']);
      expect(byTestId('branch-position', lastReply())?.textContent).toContain('2/2');
    });
  });

  it('retries a refused message in its place, with Retry', async () => {
    await create();
    await send('Hi');
    streams.reply.break(
      new ChatClientError({
        kind: 'unavailable',
        status: 503,
        retryable: true,
        message: 'The chat service is unavailable.',
      }),
    );
    await settle();
    expect(byTestId('error-message')?.textContent).toBe('The chat service is unavailable.');

    byTestId('retry')?.click();
    await settle();
    streams.reply.start();
    streams.reply.write('Hello!');
    streams.reply.finish();
    await settle();

    expect(streams.requests[1]).toEqual(streams.requests[0]);
    expect(shown()).toEqual(['Hi', 'Hello!']);
    expect(byTestId('branches')).toBeNull();
  });

  describe('when the session expired', () => {
    const expired = () =>
      new ChatClientError({ kind: 'unauthenticated', status: 401, retryable: false, message: 'x' });

    it('pauses the reply and asks to sign in, coming back to this conversation', async () => {
      await create();
      await send('Tell me');
      streams.reply.start();
      streams.reply.write('One, two,');
      streams.reply.break(expired());
      await settle();

      expect(byTestId('session-expired')?.textContent).toContain('Your session has expired.');
      expect(shown()).toEqual(['Tell me', 'One, two,']);
      expect(byTestId('error-message')?.textContent).toContain('Paused');
      expect(byTestId('retry')).toBeNull();
      // No sign-in page is configured: Sign in reloads the page, which opens the conversation.
      expect(byTestId('sign-in')?.getAttribute('href')).toBe(`/?c=${conversationParam()}`);
    });

    it('signs in back to the conversation shown, not to one shown before', async () => {
      const greetings = seedGreetings();
      const other = api.seed('Other', [
        userMessage('x1', null, 'Other'),
        assistantMessage('y1', 'x1', 'Yes?'),
      ]);
      history.replaceState(null, '', `/?c=${greetings}`);
      await create();
      await send('Tell me');
      streams.reply.break(expired());
      await settle();
      expect(byTestId('sign-in')?.getAttribute('href')).toBe(`/?c=${greetings}`);

      const otherItem = allByTestId('conversation').find((li) => li.textContent?.includes('Other'));
      byTestId('open-conversation', otherItem)?.click();
      await settle();

      expect(conversationParam()).toBe(other);
      expect(byTestId('session-expired')).not.toBeNull();
      expect(byTestId('sign-in')?.getAttribute('href')).toBe(`/?c=${other}`);
    });
  });

  describe('with the sidebar', () => {
    it('shows a new chat and clears the address when the conversation shown is deleted', async () => {
      const id = seedGreetings();
      history.replaceState(null, '', `/?c=${id}`);
      await create();

      byTestId('delete')?.click();
      await settle();

      expect(shown()).toEqual([]);
      expect(conversationParam()).toBeNull();
      expect(byTestId('deleted-toast')).not.toBeNull();
      expect(api.conversations.has(id)).toBe(true); // until the undo time is up

      window.dispatchEvent(new Event('pagehide')); // the tab closes: delete it now
      await settle();
      expect(api.conversations.has(id)).toBe(false);
    });

    it('keeps a streaming reply going when Escape cancels a rename', async () => {
      seedGreetings();
      await create();
      await send('Tell me a story');
      byTestId('rename')?.click();
      await settle();

      press(byTestId('rename-input') as HTMLElement, 'Escape');
      await settle();

      expect(byTestId('rename-input')).toBeNull();
      expect(streams.stops).toEqual([]);
      expect(lastReply().getAttribute('data-state')).toBe('streaming');
    });

    it('renames the conversation shown in the header too', async () => {
      const id = seedGreetings();
      history.replaceState(null, '', `/?c=${id}`);
      await create();

      byTestId('rename')?.click();
      await settle();
      const input = byTestId<HTMLInputElement>('rename-input') as HTMLInputElement;
      input.value = 'Salutations';
      press(input, 'Enter');
      await settle();

      expect(sidebarTitles()).toEqual(['Salutations']);
      expect(title()).toBe('Salutations');
    });
  });
});
