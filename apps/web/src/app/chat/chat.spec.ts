import { ComponentFixture, TestBed } from '@angular/core/testing';
import { ChatRequest, ModelsResponse, StreamFrame } from '@tokenstream/stream-contracts';
import { Observable, Subject } from 'rxjs';
import { Chat } from './chat';
import { ChatStream } from './chat-stream';
import { ChatClientError, ChatStreamEvent, FrameEvent } from '@tokenstream/stream-client';
import { CHAT_STREAM_POLICY, DEFAULT_CHAT_STREAM_POLICY } from './chat-stream-policy';
import { CONVERSATION_STORAGE_KEY, SavedConversation } from './conversation-store';
import { ClientConfig } from './client-config';
import { CurrentUser } from './current-user';
import { ModelCatalog } from './model-catalog';

/** Stands in for the network: each request or resume gets a Subject the test pushes events through. */
class FakeChatStream {
  readonly requests: ChatRequest[] = [];
  readonly resumes: { streamId: string; lastEventId: string | undefined }[] = [];
  readonly replies: Subject<ChatStreamEvent>[] = [];
  readonly stops: string[] = [];
  /** What `stop` answers: accepted by default. */
  stopAnswer: () => Promise<void> = () => Promise.resolve();

  stream(request: ChatRequest): Observable<ChatStreamEvent> {
    this.requests.push(request);
    return this.next();
  }

  resume(streamId: string, lastEventId?: string): Observable<ChatStreamEvent> {
    this.resumes.push({ streamId, lastEventId });
    return this.next();
  }

  stop(streamId: string): Promise<void> {
    this.stops.push(streamId);
    return this.stopAnswer();
  }

  get reply(): Subject<ChatStreamEvent> {
    const reply = this.replies.at(-1);
    if (!reply) throw new Error('no request was sent');
    return reply;
  }

  private next(): Subject<ChatStreamEvent> {
    const reply = new Subject<ChatStreamEvent>();
    this.replies.push(reply);
    return reply;
  }
}

/** Animation frames that run only when the test says so. */
class ManualAnimationFrames {
  private readonly pending = new Map<number, FrameRequestCallback>();
  private nextHandle = 1;

  install(): void {
    jest.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => {
      const handle = this.nextHandle++;
      this.pending.set(handle, callback);
      return handle;
    });
    jest
      .spyOn(window, 'cancelAnimationFrame')
      .mockImplementation((handle) => this.pending.delete(handle));
  }

  run(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    due.forEach((callback) => callback(performance.now()));
  }
}

const DEMO: ModelsResponse = { provider: 'demo', defaultModel: 'demo', models: ['demo'] };
/** How long Stop waits for the api's confirmation in these tests. */
const STOP_CONFIRM_MS = 40;
let frameId = 1;

function received(frame: StreamFrame): FrameEvent {
  return { kind: 'frame', id: String(frameId++), frame };
}

const start = () => received({ type: 'start', streamId: 's-1', model: 'demo' });
const delta = (text: string) => received({ type: 'text-delta', delta: text });
const finish = () => received({ type: 'finish', finishReason: 'stop' });
const cancelled = () => received({ type: 'finish', finishReason: 'cancelled' });

function savedConversation(): SavedConversation | undefined {
  const raw = sessionStorage.getItem(CONVERSATION_STORAGE_KEY);
  return raw ? (JSON.parse(raw) as SavedConversation) : undefined;
}

describe('Chat', () => {
  let chatStream: FakeChatStream;
  let frames: ManualAnimationFrames;
  let fixture: ComponentFixture<Chat>;
  let page: HTMLElement;

  /** What `GET /api/client-config`, `/api/me` and `/api/models` answer in the next `create`. */
  let signInUrl: string | undefined;
  let meAnswer: () => Promise<unknown>;
  let catalogAnswer: (() => Promise<ModelsResponse>) | undefined;

  async function create(catalog: ModelsResponse | null = DEMO): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        { provide: ChatStream, useValue: chatStream },
        {
          provide: CHAT_STREAM_POLICY,
          useValue: { ...DEFAULT_CHAT_STREAM_POLICY, stopConfirmMs: STOP_CONFIRM_MS },
        },
        {
          provide: ModelCatalog,
          useValue: {
            load: () =>
              catalogAnswer?.() ??
              (catalog ? Promise.resolve(catalog) : Promise.reject(new Error('down'))),
          },
        },
        { provide: CurrentUser, useValue: { load: () => meAnswer() } },
      ],
    });
    const config = TestBed.inject(ClientConfig);
    jest.spyOn(config, 'load').mockImplementation(async () => (signInUrl ? { signInUrl } : {}));
    jest
      .spyOn(config, 'signInHref')
      .mockImplementation(() =>
        signInUrl ? signInUrl.replace('{returnTo}', encodeURIComponent('/')) : '/',
      );
    fixture = TestBed.createComponent(Chat);
    page = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
  }

  const settle = () => fixture.whenStable();
  const byTestId = <T extends HTMLElement = HTMLElement>(id: string) =>
    page.querySelector<T>(`[data-testid="${id}"]`);
  const allByTestId = (id: string) => [...page.querySelectorAll(`[data-testid="${id}"]`)];
  const composer = () => byTestId<HTMLTextAreaElement>('composer') as HTMLTextAreaElement;
  const assistant = () => allByTestId('assistant-message').at(-1) as HTMLElement;
  const replyText = () => assistant().querySelector('app-markdown-view')?.textContent ?? '';

  function type(text: string): void {
    composer().value = text;
    composer().dispatchEvent(new Event('input'));
  }

  function pressEnter(shiftKey = false): KeyboardEvent {
    const event = new KeyboardEvent('keydown', {
      key: 'Enter',
      shiftKey,
      bubbles: true,
      cancelable: true,
    });
    composer().dispatchEvent(event);
    return event;
  }

  async function sendPrompt(text: string): Promise<void> {
    type(text);
    pressEnter();
    await settle();
  }

  async function showFrames(): Promise<void> {
    frames.run();
    await settle();
  }

  /** Leaves the page and opens it again in the same tab (same sessionStorage, new app). */
  async function reload(): Promise<void> {
    window.dispatchEvent(new Event('pagehide'));
    fixture.destroy();
    TestBed.resetTestingModule();
    await create();
  }

  beforeEach(() => {
    signInUrl = undefined;
    meAnswer = () => Promise.reject(new Error('no /api/me'));
    catalogAnswer = undefined;
    sessionStorage.clear();
    chatStream = new FakeChatStream();
    frames = new ManualAnimationFrames();
    frames.install();
  });

  afterEach(() => jest.restoreAllMocks());

  it('sends the prompt on Enter, shows it as a user message and clears the composer', async () => {
    await create();
    type('Hello there');

    const event = pressEnter();
    await settle();

    expect(chatStream.requests).toEqual([
      { messages: [{ role: 'user', content: 'Hello there' }], model: 'demo' },
    ]);
    expect(byTestId('user-message')?.textContent).toBe('Hello there');
    expect(composer().value).toBe('');
    expect(event.defaultPrevented).toBe(true);
  });

  it('does not send on Shift+Enter, leaving the new line to the textarea', async () => {
    await create();
    type('line one');

    const event = pressEnter(true);
    await settle();

    expect(chatStream.requests).toEqual([]);
    expect(event.defaultPrevented).toBe(false);
  });

  it('does not send empty or blank input, and its Send button is disabled', async () => {
    await create();

    pressEnter();
    type('   \n ');
    pressEnter();
    byTestId('send')?.click();
    await settle();

    expect(chatStream.requests).toEqual([]);
    expect(byTestId<HTMLButtonElement>('send')?.disabled).toBe(true);
  });

  it('sends with the Send button', async () => {
    await create();
    type('Clicked');
    await settle();

    byTestId('send')?.click();
    await settle();

    expect(chatStream.requests).toHaveLength(1);
  });

  it('renders deltas as they arrive, applying them once per animation frame', async () => {
    await create();
    await sendPrompt('Hi');

    chatStream.reply.next(start());
    chatStream.reply.next(delta('Hel'));
    chatStream.reply.next(delta('lo'));
    await settle();
    expect(replyText()).toBe('');

    await showFrames();
    expect(replyText()).toBe('Hello');
    expect(assistant().getAttribute('data-state')).toBe('streaming');
    expect(assistant().querySelector('.cursor')).not.toBeNull();

    chatStream.reply.next(delta(', **world**'));
    await showFrames();
    expect(replyText()).toBe('Hello, world');
    expect(assistant().querySelector('strong')?.textContent).toBe('world');

    chatStream.reply.next(finish());
    chatStream.reply.complete();
    await settle();
    expect(assistant().getAttribute('data-state')).toBe('done');
    expect(assistant().querySelector('.cursor')).toBeNull();
  });

  it('disables the composer and offers Stop while a reply streams, and enables it after', async () => {
    await create();
    await sendPrompt('Hi');

    expect(composer().disabled).toBe(true);
    expect(byTestId('stop')).not.toBeNull();
    expect(byTestId('send')).toBeNull();
    type('next');
    pressEnter();
    expect(chatStream.requests).toHaveLength(1);

    chatStream.reply.next(finish());
    await settle();

    expect(composer().disabled).toBe(false);
    expect(byTestId('stop')).toBeNull();
  });

  it('Stop before the api named the stream aborts it at once, keeping the text, marked Stopped', async () => {
    await create();
    await sendPrompt('Tell me a story');
    chatStream.reply.next(delta('Once upon'));
    await showFrames();
    chatStream.reply.next(delta(' a time')); // received but not yet shown when Stop is pressed

    byTestId('stop')?.click();
    await settle();

    expect(chatStream.stops).toEqual([]);
    expect(chatStream.reply.observed).toBe(false);
    expect(replyText()).toBe('Once upon a time');
    expect(assistant().getAttribute('data-state')).toBe('stopped');
    expect(assistant().querySelector('[data-testid="status"]')?.textContent).toContain('Stopped');
    expect(composer().disabled).toBe(false);
  });

  it('Stop asks the api to stop the stream and ends as Stopped on its cancelled finish', async () => {
    await create();
    await sendPrompt('Tell me a story');
    chatStream.reply.next(start());
    chatStream.reply.next(delta('Once upon'));
    await showFrames();

    byTestId('stop')?.click();
    await settle();

    expect(chatStream.stops).toEqual(['s-1']);
    // Still reading: what the model wrote before the stop reached it is still to come.
    expect(chatStream.reply.observed).toBe(true);
    expect(assistant().getAttribute('data-state')).toBe('streaming');
    expect(byTestId<HTMLButtonElement>('stop')?.disabled).toBe(true);
    byTestId('stop')?.click(); // a second press sends nothing more
    expect(chatStream.stops).toEqual(['s-1']);

    chatStream.reply.next(delta(' a time'));
    chatStream.reply.next(cancelled());
    await settle();

    expect(chatStream.reply.observed).toBe(false);
    expect(replyText()).toBe('Once upon a time');
    expect(assistant().getAttribute('data-state')).toBe('stopped');
    expect(assistant().querySelector('[data-testid="status"]')?.textContent).toContain('Stopped');
    expect(composer().disabled).toBe(false);
  });

  it('copies a finished reply as written, and says so, but not one still streaming', async () => {
    const writeText = jest.fn<Promise<void>, [string]>(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    try {
      await create();
      await sendPrompt('Format it');
      chatStream.reply.next(start());
      chatStream.reply.next(delta('**Bold** and `code`'));
      await showFrames();
      expect(byTestId('copy-reply')).toBeNull();

      chatStream.reply.next(finish());
      await settle();
      byTestId('copy-reply')?.click();
      await settle();

      expect(writeText).toHaveBeenCalledWith('**Bold** and `code`');
      expect(byTestId('copy-reply')?.textContent?.trim()).toBe('Copied');
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });

  describe('New chat', () => {
    it('is offered only once there is a conversation', async () => {
      await create();
      expect(byTestId('new-chat')).toBeNull();
      await sendPrompt('Hello');
      expect(byTestId('new-chat')).not.toBeNull();
    });

    it('starts over: no turns, nothing saved, and the next prompt is sent without history', async () => {
      await create();
      await sendPrompt('First question');
      chatStream.reply.next(start());
      chatStream.reply.next(delta('First answer'));
      chatStream.reply.next(finish());
      await showFrames();

      byTestId('new-chat')?.click();
      await settle();

      expect(allByTestId('user-message')).toHaveLength(0);
      expect(allByTestId('assistant-message')).toHaveLength(0);
      expect(savedConversation()).toBeUndefined();
      expect(chatStream.stops).toEqual([]);
      await sendPrompt('Second question');
      expect(chatStream.requests.at(-1)?.messages).toEqual([
        { role: 'user', content: 'Second question' },
      ]);
    });

    it('stops a reply still streaming on the api, and shows nothing more of it', async () => {
      await create();
      await sendPrompt('Tell me a story');
      chatStream.reply.next(start());
      chatStream.reply.next(delta('Once upon'));
      await showFrames();
      const abandoned = chatStream.reply;

      byTestId('new-chat')?.click();
      await settle();

      expect(chatStream.stops).toEqual(['s-1']);
      expect(abandoned.observed).toBe(false);
      expect(allByTestId('assistant-message')).toHaveLength(0);
      expect(composer().disabled).toBe(false);
      // After a reload, nothing is resumed.
      await reload();
      expect(chatStream.resumes).toEqual([]);
      expect(allByTestId('assistant-message')).toHaveLength(0);
    });
  });

  it('Stop ends the reply here at once when the api refuses to stop it', async () => {
    await create();
    chatStream.stopAnswer = () =>
      Promise.reject(new ChatClientError({ kind: 'network', retryable: true, message: 'x' }));
    await sendPrompt('Hi');
    chatStream.reply.next(start());
    chatStream.reply.next(delta('Partial'));

    byTestId('stop')?.click();
    await settle();

    expect(chatStream.stops).toEqual(['s-1']);
    expect(chatStream.reply.observed).toBe(false);
    expect(replyText()).toBe('Partial');
    expect(assistant().getAttribute('data-state')).toBe('stopped');
  });

  it('Stop ends the reply here when no cancelled finish arrives in time', async () => {
    await create();
    await sendPrompt('Hi');
    chatStream.reply.next(start());
    chatStream.reply.next(delta('Partial'));

    byTestId('stop')?.click();
    await settle();
    expect(assistant().getAttribute('data-state')).toBe('streaming');
    await new Promise((resolve) => setTimeout(resolve, STOP_CONFIRM_MS + 20));
    await settle();

    expect(chatStream.reply.observed).toBe(false);
    expect(replyText()).toBe('Partial');
    expect(assistant().getAttribute('data-state')).toBe('stopped');
  });

  it('shows Reconnecting… while the connection is resumed, and streams on after', async () => {
    await create();
    await sendPrompt('Hi');
    chatStream.reply.next(start());
    chatStream.reply.next(delta('Before'));
    await showFrames();
    const reason = new ChatClientError({ kind: 'network', retryable: true, message: 'offline' });

    chatStream.reply.next({
      kind: 'reconnecting',
      attempt: 1,
      delayMs: 250,
      lastEventId: undefined,
      error: reason,
    });
    await settle();

    expect(byTestId('status')?.textContent?.trim()).toBe('Reconnecting…');
    expect(assistant().getAttribute('data-state')).toBe('streaming');
    expect(byTestId('stop')).not.toBeNull();

    chatStream.reply.next({ kind: 'connected', streamId: 's-1' });
    chatStream.reply.next(delta(' and after'));
    await showFrames();

    expect(byTestId('status')).toBeNull();
    expect(replyText()).toBe('Before and after');
    expect(assistant().getAttribute('data-state')).toBe('streaming');
  });

  it('shows "no longer available" when the reply to resume is gone', async () => {
    await create();
    await sendPrompt('Hi');
    chatStream.reply.next(start());

    chatStream.reply.error(
      new ChatClientError({
        kind: 'gone',
        retryable: false,
        message: 'This reply is no longer available.',
      }),
    );
    await settle();

    expect(assistant().getAttribute('data-state')).toBe('failed');
    expect(byTestId('error-message')?.textContent).toContain('This reply is no longer available.');
  });

  describe('across a reload', () => {
    it('saves the reply with its stream position, and picks it up after the saved text', async () => {
      await create();
      await sendPrompt('Tell me');
      chatStream.reply.next(start());
      chatStream.reply.next(delta('One,'));
      await showFrames();
      const last = delta(' two,'); // received, not yet on screen when the page goes
      chatStream.reply.next(last);

      await reload();

      expect(chatStream.resumes).toEqual([{ streamId: 's-1', lastEventId: last.id }]);
      expect(chatStream.requests).toHaveLength(1); // the question was not sent again
      expect(byTestId('user-message')?.textContent).toBe('Tell me');
      expect(replyText()).toBe('One, two,');
      expect(assistant().getAttribute('data-state')).toBe('streaming');
      expect(composer().disabled).toBe(true);

      chatStream.reply.next(delta(' three.'));
      chatStream.reply.next(finish());
      await settle();

      expect(replyText()).toBe('One, two, three.');
      expect(assistant().getAttribute('data-state')).toBe('done');
      expect(savedConversation()).toEqual({
        turns: [
          { id: 1, role: 'user', content: 'Tell me' },
          expect.objectContaining({ id: 2, text: 'One, two, three.', status: 'done' }),
        ],
      });
    });

    it('keeps the finished conversation, and numbers new turns after it', async () => {
      await create();
      await sendPrompt('First');
      chatStream.reply.next(delta('Answer'));
      chatStream.reply.next(finish());
      await settle();

      await reload();
      await sendPrompt('Second');

      expect(allByTestId('user-message').map((e) => e.textContent)).toEqual(['First', 'Second']);
      expect(chatStream.resumes).toEqual([]);
      expect(chatStream.requests.at(-1)?.messages).toEqual([
        { role: 'user', content: 'First' },
        { role: 'assistant', content: 'Answer' },
        { role: 'user', content: 'Second' },
      ]);
      const ids = savedConversation()?.turns.map((turn) => turn.id);
      expect(new Set(ids).size).toBe(ids?.length);
    });

    it('marks a reply whose stream was never named as interrupted, with Retry', async () => {
      await create();
      await sendPrompt('Hi'); // reloaded before the api answered

      await reload();

      expect(chatStream.resumes).toEqual([]);
      expect(assistant().getAttribute('data-state')).toBe('failed');
      expect(byTestId('error-message')?.textContent).toContain('reloaded');
      expect(byTestId('retry')).not.toBeNull();
    });

    it('starts empty when the saved conversation is corrupt', async () => {
      sessionStorage.setItem(CONVERSATION_STORAGE_KEY, '{"turns": [{"id": "x"}');

      await create();

      expect(allByTestId('assistant-message')).toHaveLength(0);
      expect(chatStream.resumes).toEqual([]);
    });
  });

  it('Escape stops the streaming reply', async () => {
    await create();
    await sendPrompt('Hi');

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settle();

    expect(chatStream.reply.observed).toBe(false);
    expect(assistant().getAttribute('data-state')).toBe('stopped');
  });

  it('shows the message of an error frame, and Retry re-sends the same request in its place', async () => {
    await create();
    await sendPrompt('Hi');
    chatStream.reply.next(start());
    chatStream.reply.next(delta('Half a'));
    chatStream.reply.next(
      received({
        type: 'error',
        code: 'upstream_unavailable',
        message: 'The model could not be reached.',
        retryable: true,
      }),
    );
    await settle();

    expect(assistant().getAttribute('data-state')).toBe('failed');
    expect(byTestId('error-message')?.textContent).toContain('The model could not be reached.');

    byTestId('retry')?.click();
    await settle();

    expect(chatStream.requests).toHaveLength(2);
    expect(chatStream.requests[1]).toEqual(chatStream.requests[0]);
    expect(allByTestId('assistant-message')).toHaveLength(1);
    expect(assistant().getAttribute('data-state')).toBe('streaming');
    expect(byTestId('error-message')).toBeNull();
    expect(replyText()).toBe('');

    chatStream.reply.next(delta('Whole'));
    chatStream.reply.next(finish());
    await settle();
    expect(replyText()).toBe('Whole');
  });

  it('shows the message of a ChatClientError, with Retry', async () => {
    await create();
    await sendPrompt('Hi');

    chatStream.reply.error(
      new ChatClientError({
        kind: 'network',
        retryable: true,
        message: 'Could not reach the chat service.',
      }),
    );
    await settle();

    expect(byTestId('error-message')?.textContent).toContain('Could not reach the chat service.');
    expect(byTestId('retry')).not.toBeNull();
  });

  const expired = () =>
    new ChatClientError({ kind: 'unauthenticated', status: 401, retryable: false, message: 'x' });

  describe('when the session expired', () => {
    it('asks to sign in again, with a link that reloads the page when no sign-in URL is configured', async () => {
      await create();
      await sendPrompt('Hi');

      chatStream.reply.error(expired());
      await settle();

      expect(byTestId('session-expired')?.textContent).toContain('Your session has expired');
      expect(byTestId('sign-in')?.textContent?.trim()).toBe('Sign in');
      expect(byTestId('sign-in')?.getAttribute('href')).toBe('/');
      expect(assistant().getAttribute('data-state')).toBe('failed');
      expect(byTestId('retry')).toBeNull();
    });

    it('links Sign in to the configured sign-in URL, coming back to this page', async () => {
      signInUrl = '/oauth2/start?rd={returnTo}';
      await create();
      await sendPrompt('Hi');

      chatStream.reply.error(expired());
      await settle();

      expect(byTestId('sign-in')?.getAttribute('href')).toBe('/oauth2/start?rd=%2F');
    });

    it('pauses a reply cut off mid-way, keeping its stream position saved, and resumes it exactly after signing in (a reload)', async () => {
      await create();
      await sendPrompt('Tell me');
      chatStream.reply.next(start());
      chatStream.reply.next(delta('One,'));
      const last = delta(' two,');
      chatStream.reply.next(last);
      chatStream.reply.next({
        kind: 'reconnecting',
        attempt: 1,
        delayMs: 10,
        lastEventId: undefined,
        error: expired(),
      });
      chatStream.reply.error(expired());
      await settle();

      expect(byTestId('session-expired')?.textContent).toContain('Your session has expired');
      expect(replyText()).toBe('One, two,');
      expect(byTestId('error-message')?.textContent).toContain('Paused');
      expect(byTestId('retry')).toBeNull();
      expect(composer().disabled).toBe(true); // a new question would take the paused reply's place
      const paused = {
        turns: [
          { id: 1, role: 'user', content: 'Tell me' },
          expect.objectContaining({ id: 2, text: 'One, two,', status: 'streaming' }),
        ],
        active: { turnId: 2, streamId: 's-1', lastEventId: last.id },
      };
      expect(savedConversation()).toEqual(paused);
      expect(savedConversation()?.turns[1]).not.toHaveProperty('error');

      await reload(); // pagehide saves again: still the paused reply's position
      expect(chatStream.resumes).toEqual([{ streamId: 's-1', lastEventId: last.id }]);
      expect(chatStream.requests).toHaveLength(1);
      expect(byTestId('session-expired')).toBeNull();
      expect(assistant().getAttribute('data-state')).toBe('streaming');
      expect(replyText()).toBe('One, two,');

      chatStream.reply.next({ kind: 'connected', streamId: 's-1' });
      chatStream.reply.next(delta(' three.'));
      chatStream.reply.next(finish());
      await settle();

      expect(replyText()).toBe('One, two, three.');
      expect(assistant().getAttribute('data-state')).toBe('done');
      expect(savedConversation()).toEqual({
        turns: [
          { id: 1, role: 'user', content: 'Tell me' },
          expect.objectContaining({ id: 2, text: 'One, two, three.', status: 'done' }),
        ],
      });
    });

    it('keeps the paused reply saved when the resume after a reload is refused with 401 too', async () => {
      await create();
      await sendPrompt('Tell me');
      chatStream.reply.next(start());
      const last = delta('One,');
      chatStream.reply.next(last);
      chatStream.reply.error(expired());
      await settle();
      const paused = savedConversation();

      await reload(); // not signed in after all
      chatStream.reply.error(expired());
      await settle();

      expect(byTestId('session-expired')).not.toBeNull();
      expect(replyText()).toBe('One,');
      expect(savedConversation()).toEqual(paused);
      expect(savedConversation()?.active).toEqual({
        turnId: 2,
        streamId: 's-1',
        lastEventId: last.id,
      });

      await reload(); // signed in now
      expect(chatStream.resumes.at(-1)).toEqual({ streamId: 's-1', lastEventId: last.id });
      chatStream.reply.next(delta(' two.'));
      chatStream.reply.next(finish());
      await settle();
      expect(replyText()).toBe('One, two.');
    });

    it('fails a reply refused before the api named its stream (nothing to resume), with Retry once signed in again', async () => {
      await create();
      await sendPrompt('Hi');
      chatStream.reply.error(expired());
      await settle();

      expect(savedConversation()?.active).toBeUndefined();
      expect(savedConversation()?.turns[1]).toMatchObject({
        status: 'failed',
        error: { kind: 'unauthenticated' },
      });
      expect(byTestId('error-message')?.textContent).toContain('Your session had expired');
      expect(composer().disabled).toBe(false);

      await reload();
      expect(byTestId('session-expired')).toBeNull();
      byTestId('retry')?.click();
      await settle();
      expect(chatStream.requests).toHaveLength(2);
    });

    it('shows the notice when /api/me or /api/models is refused as unauthenticated at start-up', async () => {
      meAnswer = () => Promise.reject(expired());
      await create();
      expect(byTestId('session-expired')?.textContent).toContain('Your session has expired');
      fixture.destroy();
      TestBed.resetTestingModule();

      catalogAnswer = () => Promise.reject(expired());
      meAnswer = () => Promise.reject(new Error('no /api/me'));
      await create();
      expect(byTestId('session-expired')).not.toBeNull();
    });

    it('shows no notice when /api/me fails for another reason, and the signed-in user when it answers', async () => {
      await create();
      expect(byTestId('session-expired')).toBeNull();
      fixture.destroy();
      TestBed.resetTestingModule();

      meAnswer = async () => ({
        id: 'proxy:alice',
        kind: 'user',
        via: 'proxy',
        email: 'alice@example.com',
        groups: [],
        models: [],
      });
      await create();
      expect(byTestId('signed-in-user')?.textContent).toBe('alice@example.com');
    });

    it('shows the notice when Stop is refused as unauthenticated, and still stops the reply here', async () => {
      await create();
      await sendPrompt('Hi');
      chatStream.reply.next(start());
      chatStream.stopAnswer = () => Promise.reject(expired());

      byTestId('stop')?.click();
      await settle();

      expect(assistant().getAttribute('data-state')).toBe('stopped');
      expect(byTestId('session-expired')).not.toBeNull();
    });
  });

  it('sends the completed exchanges as history, leaving out a stopped one', async () => {
    await create();
    await sendPrompt('First');
    chatStream.reply.next(delta('Answer one'));
    chatStream.reply.next(finish());
    await settle();
    await sendPrompt('Second');
    chatStream.reply.next(delta('Half'));
    byTestId('stop')?.click();
    await settle();

    await sendPrompt('Third');

    expect(chatStream.requests[2].messages).toEqual([
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'Answer one' },
      { role: 'user', content: 'Third' },
    ]);
  });

  describe('auto-scroll', () => {
    /** Gives the jsdom log element a scrollable geometry: `height` of content, 200px visible. */
    function scrollable(log: HTMLElement, height: () => number): { top: number } {
      const position = { top: 0 };
      Object.defineProperty(log, 'clientHeight', { configurable: true, get: () => 200 });
      Object.defineProperty(log, 'scrollHeight', { configurable: true, get: height });
      Object.defineProperty(log, 'scrollTop', {
        configurable: true,
        get: () => position.top,
        set: (value: number) => (position.top = Math.max(0, Math.min(value, height() - 200))),
      });
      return position;
    }

    async function userScrollsTo(log: HTMLElement, top: number): Promise<void> {
      log.scrollTop = top;
      log.dispatchEvent(new Event('scroll'));
      await settle();
    }

    it('follows the reply, stops when the user scrolls up, and resumes at the bottom', async () => {
      await create();
      const log = page.querySelector('main') as HTMLElement;
      let contentHeight = 1000;
      const position = scrollable(log, () => contentHeight);
      await sendPrompt('Hi');
      chatStream.reply.next(delta('Some text'));
      await showFrames();
      expect(position.top).toBe(800); // followed to the bottom

      await userScrollsTo(log, 300);
      contentHeight = 1400;
      chatStream.reply.next(delta(' and more'));
      await showFrames();
      expect(position.top).toBe(300); // left where the user is reading
      expect(byTestId('jump-to-latest')).not.toBeNull();

      await userScrollsTo(log, 1200);
      contentHeight = 1600;
      chatStream.reply.next(delta(' and more'));
      await showFrames();
      expect(position.top).toBe(1400); // following again
      expect(byTestId('jump-to-latest')).toBeNull();
    });

    it('jumps to the latest text and follows again from the Latest button', async () => {
      await create();
      const log = page.querySelector('main') as HTMLElement;
      const position = scrollable(log, () => 1000);
      await sendPrompt('Hi');
      await userScrollsTo(log, 800);
      await userScrollsTo(log, 100);

      byTestId('jump-to-latest')?.click();
      await settle();

      expect(position.top).toBe(800);
      expect(byTestId('jump-to-latest')).toBeNull();
    });
  });

  it('shows the demo badge when the api runs the demo model', async () => {
    await create(DEMO);

    expect(byTestId('demo-badge')?.textContent).toContain('Demo model — no real AI is connected');
    expect(byTestId('model-picker')).toBeNull();
  });

  it('shows no badge for a real provider, and sends no model when the list is unavailable', async () => {
    await create(null);
    expect(byTestId('demo-badge')).toBeNull();

    await sendPrompt('Hi');
    expect(chatStream.requests[0]).toEqual({ messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('offers a model picker when several models are offered, and sends the picked one', async () => {
    await create({
      provider: 'openai',
      defaultModel: 'gpt-4o-mini',
      models: ['gpt-4o-mini', 'o3'],
    });
    const picker = byTestId<HTMLSelectElement>('model-picker') as HTMLSelectElement;
    expect(byTestId('demo-badge')).toBeNull();
    expect(picker.value).toBe('gpt-4o-mini');

    picker.value = 'o3';
    picker.dispatchEvent(new Event('change'));
    await sendPrompt('Hi');

    expect(chatStream.requests[0].model).toBe('o3');
  });
});
