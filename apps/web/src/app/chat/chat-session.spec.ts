import { TestBed } from '@angular/core/testing';
import { ChatClientError } from '@tokenstream/stream-client';
import { ChatSession, ConversationTouched } from './chat-session';
import { ReplyStreams } from '../api/reply-streams';
import { CHAT_STREAM_POLICY, DEFAULT_CHAT_STREAM_POLICY } from '../api/chat-stream-policy';
import { ChatNode } from './conversation-tree';
import { ConversationsApi, ConversationsApiError } from '../api/conversations-api';
import { assistantMessage, userMessage } from '../api/testing/conversation-builders';
import { FakeReplyStreams, FakeReply } from '../api/testing/fake-reply-streams';
import { FakeConversationsApi, refused } from '../api/testing/fake-conversations-api';

/** How long Stop waits for the api's `cancelled` finish in these tests. */
const STOP_CONFIRM_MS = 50;

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

const expired = () =>
  new ChatClientError({
    kind: 'unauthenticated',
    status: 401,
    retryable: false,
    message: 'Your session has expired. Sign in again to continue.',
  });

describe('ChatSession', () => {
  let api: FakeConversationsApi;
  let streams: FakeReplyStreams;
  let frames: ManualAnimationFrames;
  let session: ChatSession;
  let touched: ConversationTouched[];

  beforeEach(() => {
    api = new FakeConversationsApi({ startsAt: new Date(Date.UTC(2026, 11, 4, 9)) });
    streams = new FakeReplyStreams(api);
    frames = new ManualAnimationFrames();
    frames.install();
    TestBed.configureTestingModule({
      providers: [
        ChatSession,
        { provide: ReplyStreams, useValue: streams },
        { provide: ConversationsApi, useValue: api },
        {
          provide: CHAT_STREAM_POLICY,
          useValue: { ...DEFAULT_CHAT_STREAM_POLICY, stopConfirmMs: STOP_CONFIRM_MS },
        },
      ],
    });
    session = TestBed.inject(ChatSession);
    touched = [];
    session.touched.subscribe((t) => touched.push(t));
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** The branch shown, as `role: text (status)` lines. */
  const shown = () => session.path().map((n) => `${n.role}: ${n.text} (${n.status})`);
  const last = () => session.path().at(-1) as ChatNode;
  const find = (text: string) => session.path().find((n) => n.text === text) as ChatNode;

  /** Sends `question` and lets the api answer it with `answer` in full. */
  function converse(question: string, answer: string): FakeReply {
    session.send(question);
    const reply = streams.reply;
    reply.start();
    reply.write(answer);
    reply.finish();
    return reply;
  }

  /** A kept conversation: "Hi" → "Hello!" → "And?" → "And so on.", every message done. */
  function seedTwoTurns(): string {
    return api.seed('Greetings', [
      userMessage('q1', null, 'Hi'),
      assistantMessage('a1', 'q1', 'Hello!'),
      userMessage('q2', 'a1', 'And?'),
      assistantMessage('a2', 'q2', 'And so on.'),
    ]);
  }

  describe('a reasoning model', () => {
    it('shows its thinking apart from its text, and keeps both when the conversation is opened again', async () => {
      session.send('Why?');
      const reply = streams.reply;
      reply.start();
      reply.think('Let me ');
      reply.think('think.');
      frames.run();
      expect(last()).toMatchObject({ reasoning: 'Let me think.', text: '', status: 'streaming' });

      reply.write('Because.');
      reply.finish();
      frames.run();
      expect(last()).toMatchObject({
        reasoning: 'Let me think.',
        text: 'Because.',
        status: 'done',
      });

      const id = session.conversationId() as string;
      session.startNew();
      await session.open(id);
      expect(last()).toMatchObject({ reasoning: 'Let me think.', text: 'Because.' });
    });
  });

  describe('in a new kept conversation', () => {
    it('sends only the new message with an empty conversation, and takes the ids the api gives', () => {
      session.model.set('demo-large');

      session.send('Hi there');

      expect(streams.requests).toEqual([
        {
          messages: [{ role: 'user', content: 'Hi there' }],
          model: 'demo-large',
          conversation: {},
        },
      ]);
      expect(session.title()).toBe('Hi there');
      expect(shown()).toEqual(['user: Hi there (done)', 'assistant:  (streaming)']);
      expect(session.path().every((n) => !n.kept)).toBe(true);

      streams.reply.start();

      const id = session.conversationId() as string;
      const kept = api.conversations.get(id);
      expect(kept?.title).toBe('Hi there');
      expect(session.path().map((n) => n.id)).toEqual(kept?.messages.map((m) => m.id));
      expect(session.path().every((n) => n.kept)).toBe(true);
      expect(touched).toEqual([{ id, firstMessage: 'Hi there' }]);
    });

    it('leaves the model out when none is chosen, so the api picks its own', () => {
      session.send('Hi');

      expect(streams.requests[0]).not.toHaveProperty('model');
    });

    it('streams the text in once per animation frame, and shows the reply whole when it ends', () => {
      session.send('Tell me');
      const reply = streams.reply;
      reply.start();
      reply.write('Once');
      reply.write(' upon');
      expect(last().text).toBe('');

      frames.run();
      expect(last().text).toBe('Once upon');
      expect(session.streaming()).toBe(true);

      reply.write(' a time.'); // not yet shown when the finish arrives
      reply.finish();

      expect(shown()).toEqual(['user: Tell me (done)', 'assistant: Once upon a time. (done)']);
      expect(last().finishReason).toBe('stop');
      expect(session.streaming()).toBe(false);
      expect(api.held(session.conversationId())).toEqual([
        'user: Tell me (complete)',
        'assistant: Once upon a time. (complete)',
      ]);
    });

    it('continues after the last message of the branch shown, in the same conversation', () => {
      const first = converse('Hi', 'Hello!');
      const id = session.conversationId() as string;

      converse('How are you?', 'Fine.');

      expect(streams.requests[1]).toEqual({
        messages: [{ role: 'user', content: 'How are you?' }],
        conversation: { id, parentId: api.conversations.get(id)?.messages[1]?.id },
      });
      expect(api.held(id)).toEqual([
        'user: Hi (complete)',
        'assistant: Hello! (complete)',
        'user: How are you? (complete)',
        'assistant: Fine. (complete)',
      ]);
      expect(touched).toEqual([{ id, firstMessage: 'Hi' }, { id }]);
      expect(first.followed).toBe(false);
    });

    it('sends nothing while a reply streams', () => {
      session.send('Hi');

      session.send('Again');

      expect(streams.requests).toHaveLength(1);
      expect(shown()).toEqual(['user: Hi (done)', 'assistant:  (streaming)']);
    });
  });

  describe('in a temporary chat', () => {
    beforeEach(() => session.startNew(true));

    it('sends the branch as history and no conversation, and the api keeps nothing', () => {
      converse('Hi', 'Hello!');
      converse('How are you?', 'Fine.');

      expect(streams.requests[1]).toEqual({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'How are you?' },
        ],
      });
      expect(session.conversationId()).toBeUndefined();
      expect(api.conversations.size).toBe(0);
      expect(touched).toEqual([]);
      expect(session.title()).toBeUndefined();
    });

    it('leaves out of the history an exchange whose reply was stopped or failed', () => {
      session.send('Stopped one');
      streams.reply.start();
      streams.reply.write('Half');
      streams.reply.finish('cancelled');
      session.send('Failed one');
      streams.reply.start();
      streams.reply.fail('The model could not be reached.', 'upstream_unavailable');

      session.send('Third');

      expect(streams.requests[2]?.messages).toEqual([{ role: 'user', content: 'Third' }]);
    });

    it('regenerates with the history up to the question, as a new branch beside the reply', () => {
      converse('Hi', 'Hello!');
      const reply = last();

      session.regenerate(reply);

      expect(streams.requests[1]).toEqual({ messages: [{ role: 'user', content: 'Hi' }] });
      expect(session.branchesOf(last())).toEqual({ index: 1, count: 2 });
    });

    it('moves between branches here only: the api is asked nothing', () => {
      converse('Hi', 'Hello!');
      session.edit(find('Hi'), 'Hey');
      streams.reply.start();
      streams.reply.finish();
      api.failure = new Error('the api must not be called');

      session.showBranch(find('Hey'), -1);

      expect(shown()).toEqual(['user: Hi (done)', 'assistant: Hello! (done)']);
      expect(api.conversations.size).toBe(0);
    });
  });

  describe('open', () => {
    it('shows a kept conversation on the branch shown last, with its title', async () => {
      const id = api.seed(
        'Greetings',
        [
          userMessage('q1', null, 'Hi'),
          assistantMessage('a1', 'q1', 'Hello!'),
          userMessage('q1b', null, 'Hey'),
          assistantMessage('a1b', 'q1b', 'Hey yourself.', {
            status: 'cancelled',
            finishReason: 'cancelled',
          }),
        ],
        'a1',
      );

      await session.open(id);

      expect(session.conversationId()).toBe(id);
      expect(session.title()).toBe('Greetings');
      expect(shown()).toEqual(['user: Hi (done)', 'assistant: Hello! (done)']);
      expect(session.branchesOf(find('Hi'))).toEqual({ index: 0, count: 2 });
      expect(session.loading()).toBe(false);
      expect(streams.resumes).toEqual([]);
    });

    it('follows a reply still generating at the end of the branch, from its first frame', async () => {
      const id = api.seed('Story', [
        userMessage('q1', null, 'Tell me a story'),
        assistantMessage('a1', 'q1', 'Once upon', { status: 'generating', finishReason: null }),
      ]);
      const live = streams.writing(id, 'a1');

      await session.open(id);

      expect(streams.resumes).toEqual([{ streamId: 'stream-of-a1', lastEventId: undefined }]);
      expect(session.streaming()).toBe(true);
      expect(last().text).toBe(''); // the frames bring all of it again

      live.start();
      live.write('Once upon');
      live.write(' a time.');
      live.finish();

      expect(shown()).toEqual([
        'user: Tell me a story (done)',
        'assistant: Once upon a time. (done)',
      ]);
      expect(session.streaming()).toBe(false);
    });

    it('says so when the conversation does not exist', async () => {
      await session.open('conv-404');

      expect(session.openError()).toBe('This conversation does not exist, or it was deleted.');
      expect(session.path()).toEqual([]);
      expect(session.loading()).toBe(false);
    });

    it('says it could not be loaded when the api fails', async () => {
      const id = seedTwoTurns();
      api.failure = new ConversationsApiError(503, 'Unavailable.');

      await session.open(id);

      expect(session.openError()).toBe('This conversation could not be loaded. Please try again.');
    });

    it('asks to sign in, rather than saying it failed, when the session is gone', async () => {
      const id = seedTwoTurns();
      api.failure = expired();

      await session.open(id);

      expect(session.sessionExpired()).toBe(true);
      expect(session.openError()).toBeUndefined();
    });

    it('shows only the conversation opened last when an earlier one answers late', async () => {
      const first = seedTwoTurns();
      const second = api.seed('Other', [
        userMessage('x1', null, 'Other question'),
        assistantMessage('y1', 'x1', 'Other answer'),
      ]);
      let release = (): void => undefined;
      api.gate = new Promise<void>((resolve) => (release = resolve));

      const opening = session.open(first);
      expect(session.loading()).toBe(true);
      const openingSecond = session.open(second);
      release();
      await Promise.all([opening, openingSecond]);

      expect(session.conversationId()).toBe(second);
      expect(shown()).toEqual(['user: Other question (done)', 'assistant: Other answer (done)']);
      expect(session.openError()).toBeUndefined();
    });

    it('leaves a streaming reply to the api, which goes on writing it', async () => {
      const other = seedTwoTurns();
      session.send('Tell me a story');
      const reply = streams.reply;
      reply.start();
      reply.write('Once');

      await session.open(other);

      expect(reply.followed).toBe(false);
      expect(streams.stops).toEqual([]);
      expect(session.streaming()).toBe(false);
      expect(shown()).toHaveLength(4);
    });
  });

  describe('edit', () => {
    it('sends the new text as a new branch beside the message: its parent is the parent', async () => {
      const id = seedTwoTurns();
      await session.open(id);

      session.edit(find('And?'), 'But why?');

      expect(streams.requests).toEqual([
        { messages: [{ role: 'user', content: 'But why?' }], conversation: { id, parentId: 'a1' } },
      ]);
      streams.reply.start();
      streams.reply.write('Because.');
      streams.reply.finish();
      expect(shown()).toEqual([
        'user: Hi (done)',
        'assistant: Hello! (done)',
        'user: But why? (done)',
        'assistant: Because. (done)',
      ]);
      expect(session.branchesOf(find('But why?'))).toEqual({ index: 1, count: 2 });
      expect(api.held(id)).toEqual([
        'user: Hi (complete)',
        'assistant: Hello! (complete)',
        'user: And? (complete)',
        'assistant: And so on. (complete)',
        'user: But why? (complete)',
        'assistant: Because. (complete)',
      ]);
      expect(api.conversations.get(id)?.messages[4]?.parentId).toBe('a1');
      expect(touched).toEqual([{ id }]);
    });

    it('makes an edit of the first message a new first message', async () => {
      const id = seedTwoTurns();
      await session.open(id);

      session.edit(find('Hi'), 'Hello');

      expect(streams.requests[0]?.conversation).toEqual({ id });
      streams.reply.start();
      expect(session.branchesOf(find('Hello'))).toEqual({ index: 1, count: 2 });
    });
  });

  describe('regenerate', () => {
    it('asks for another reply to the same question: no message, its parent the question', async () => {
      const id = seedTwoTurns();
      await session.open(id);

      session.regenerate(find('And so on.'));

      expect(streams.requests).toEqual([{ messages: [], conversation: { id, parentId: 'q2' } }]);
      streams.reply.start();
      streams.reply.write('Another answer.');
      streams.reply.finish();
      expect(shown().slice(2)).toEqual(['user: And? (done)', 'assistant: Another answer. (done)']);
      expect(session.branchesOf(last())).toEqual({ index: 1, count: 2 });
      expect(api.held(id).slice(4)).toEqual(['assistant: Another answer. (complete)']);
    });

    it('sends a question the api never kept again, in its place', () => {
      session.send('Hi');
      streams.reply.break(
        new ChatClientError({ kind: 'network', retryable: true, message: 'Offline.' }),
      );
      expect(last().status).toBe('failed');

      session.regenerate(last());

      expect(streams.requests).toEqual([
        { messages: [{ role: 'user', content: 'Hi' }], conversation: {} },
        { messages: [{ role: 'user', content: 'Hi' }], conversation: {} },
      ]);
      expect(shown()).toEqual(['user: Hi (done)', 'assistant:  (streaming)']);
      expect(session.branchesOf(last())).toEqual({ index: 0, count: 1 });
      expect(session.branchesOf(find('Hi'))).toEqual({ index: 0, count: 1 });
    });

    it('answers a kept question again after a reply that failed on the stream', () => {
      session.send('Hi');
      streams.reply.start();
      streams.reply.fail('The model took too long.', 'upstream_timeout');
      const id = session.conversationId() as string;
      const question = find('Hi');

      session.regenerate(last());

      expect(streams.requests[1]).toEqual({
        messages: [],
        conversation: { id, parentId: question.id },
      });
    });
  });

  describe('showBranch', () => {
    /** "Hi" answered twice; the second answer followed by "More?" → "More.". */
    function seedBranches(): string {
      return api.seed(
        'Branches',
        [
          userMessage('q1', null, 'Hi'),
          assistantMessage('a1', 'q1', 'First answer'),
          assistantMessage('a1b', 'q1', 'Second answer'),
          userMessage('q2', 'a1b', 'More?'),
          assistantMessage('a2', 'q2', 'More.'),
        ],
        'a1',
      );
    }

    it('shows the newest reply down the next branch, and the api remembers it', async () => {
      const id = seedBranches();
      await session.open(id);

      session.showBranch(find('First answer'), 1);

      expect(shown()).toEqual([
        'user: Hi (done)',
        'assistant: Second answer (done)',
        'user: More? (done)',
        'assistant: More. (done)',
      ]);
      await Promise.resolve();
      expect(api.conversations.get(id)?.activeLeafId).toBe('a2');

      session.showBranch(find('Second answer'), -1);

      expect(shown()).toEqual(['user: Hi (done)', 'assistant: First answer (done)']);
      await Promise.resolve();
      expect(api.conversations.get(id)?.activeLeafId).toBe('a1');
    });

    it('goes nowhere past the first or the last branch', async () => {
      const id = seedBranches();
      await session.open(id);

      session.showBranch(find('First answer'), -1);
      session.showBranch(find('Hi'), 1);

      expect(shown()).toEqual(['user: Hi (done)', 'assistant: First answer (done)']);
      await Promise.resolve();
      expect(api.conversations.get(id)?.activeLeafId).toBe('a1');
    });

    it('follows a reply still generating down the branch moved to', async () => {
      const id = api.seed(
        'Live',
        [
          userMessage('q1', null, 'Hi'),
          assistantMessage('a1', 'q1', 'Done answer'),
          assistantMessage('a1b', 'q1', '', { status: 'generating', finishReason: null }),
        ],
        'a1',
      );
      const live = streams.writing(id, 'a1b');
      await session.open(id);
      expect(streams.resumes).toEqual([]);

      session.showBranch(find('Done answer'), 1);

      expect(streams.resumes).toEqual([{ streamId: 'stream-of-a1b', lastEventId: undefined }]);
      live.start();
      live.write('Live answer');
      live.finish();
      expect(last().text).toBe('Live answer');
    });
  });

  describe('stop', () => {
    it('ends the reply at once, keeping its text, when the api has not named the stream yet', () => {
      session.send('Tell me a story');
      const reply = streams.reply;
      reply.write('Once upon'); // received, not yet on screen

      session.stop();

      expect(streams.stops).toEqual([]);
      expect(reply.followed).toBe(false);
      expect(shown()).toEqual(['user: Tell me a story (done)', 'assistant: Once upon (stopped)']);
      expect(session.streaming()).toBe(false);
    });

    it('asks the api to stop, and ends on its cancelled finish with every token before it', () => {
      session.send('Tell me a story');
      const reply = streams.reply;
      reply.start();
      reply.write('Once upon');

      session.stop();
      session.stop(); // a second press asks nothing more

      expect(streams.stops).toEqual([reply.streamId]);
      expect(session.stopping()).toBe(true);
      expect(last().status).toBe('streaming');

      reply.write(' a time');
      reply.finish('cancelled');

      expect(shown()).toEqual([
        'user: Tell me a story (done)',
        'assistant: Once upon a time (stopped)',
      ]);
      expect(last().finishReason).toBe('cancelled');
      expect(session.stopping()).toBe(false);
      expect(api.held(session.conversationId())[1]).toBe('assistant: Once upon a time (cancelled)');
    });

    it('ends the reply here when the cancelled finish does not come in time', () => {
      jest.useFakeTimers({ doNotFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
      session.send('Tell me a story');
      const reply = streams.reply;
      reply.start();
      reply.write('Once');

      session.stop();
      jest.advanceTimersByTime(STOP_CONFIRM_MS - 1);
      expect(last().status).toBe('streaming');
      jest.advanceTimersByTime(1);

      expect(shown()[1]).toBe('assistant: Once (stopped)');
      expect(reply.followed).toBe(false);
    });

    it('ends the reply here when the api refuses to stop it', async () => {
      streams.stopAnswer = () =>
        Promise.reject(new ChatClientError({ kind: 'network', retryable: true, message: 'x' }));
      session.send('Hi');
      const reply = streams.reply;
      reply.start();
      reply.write('Partial');

      session.stop();
      await Promise.resolve();
      await Promise.resolve();

      expect(shown()[1]).toBe('assistant: Partial (stopped)');
      expect(reply.followed).toBe(false);
      expect(session.sessionExpired()).toBe(false);
    });

    it('does nothing when no reply streams', () => {
      converse('Hi', 'Hello!');

      session.stop();

      expect(streams.stops).toEqual([]);
      expect(last().status).toBe('done');
    });
  });

  describe('when a reply fails', () => {
    it('ends it failed with the error frame message, keeping the text so far', () => {
      session.send('Hi');
      streams.reply.start();
      streams.reply.write('Half a');
      streams.reply.fail('The model could not be reached.', 'upstream_unavailable');

      expect(last()).toMatchObject({
        text: 'Half a',
        status: 'failed',
        error: {
          kind: 'stream',
          code: 'upstream_unavailable',
          message: 'The model could not be reached.',
          retryable: true,
        },
      });
      expect(session.streaming()).toBe(false);
    });

    it("ends it failed with a ChatClientError's message, problems and reference", () => {
      session.send('Hi');
      streams.reply.break(
        new ChatClientError({
          kind: 'rejected',
          status: 400,
          code: 'invalid_request',
          retryable: false,
          message: 'The request was refused.',
          problems: [{ path: 'messages[0].content', message: 'is too long' }],
          requestId: 'req-7',
        }),
      );

      expect(last()).toMatchObject({
        status: 'failed',
        error: {
          kind: 'rejected',
          code: 'invalid_request',
          message: 'The request was refused.',
          problems: [{ path: 'messages[0].content', message: 'is too long' }],
          requestId: 'req-7',
          retryable: false,
        },
      });
      expect(session.conversationId()).toBeUndefined();
    });

    it('shows no text of an error that is not a ChatClientError', () => {
      session.send('Hi');
      streams.reply.events.error(new Error('secret stack'));

      expect(last().error).toEqual({
        kind: 'interrupted',
        message: 'Something went wrong with this reply.',
        retryable: true,
      });
    });

    it('says Reconnecting… while the connection is resumed, and not once frames flow', () => {
      session.send('Hi');
      const reply = streams.reply;
      reply.start();

      reply.reconnecting();
      expect(session.reconnecting()).toBe(true);
      expect(session.streaming()).toBe(true);

      reply.connected();
      expect(session.reconnecting()).toBe(false);
    });

    it('pauses a reply cut off by an expired session after its stream was named', () => {
      session.send('Tell me');
      const reply = streams.reply;
      reply.start();
      reply.write('One, two,');

      reply.break(expired());

      expect(last()).toMatchObject({
        text: 'One, two,',
        status: 'failed',
        error: { kind: 'unauthenticated', retryable: false },
      });
      expect(last().error?.message).toContain('Paused');
      expect(session.sessionExpired()).toBe(true);
      expect(streams.stops).toEqual([]);
    });

    it('fails a reply whose session expired before any stream opened, with nothing to pause', () => {
      session.send('Hi');

      streams.reply.break(expired());

      expect(last().error).toMatchObject({
        kind: 'unauthenticated',
        message: 'Your session has expired. Sign in again to continue.',
      });
      expect(session.sessionExpired()).toBe(true);
    });

    it('forgets the expired session once the api accepts this browser again', () => {
      session.send('Hi');
      streams.reply.break(expired());
      session.regenerate(last());

      streams.reply.connected();

      expect(session.sessionExpired()).toBe(false);
    });
  });

  describe('after a turn the api refused', () => {
    it('sends the next message after the last message the api kept', () => {
      converse('Hi', 'Hello!');
      const id = session.conversationId() as string;
      const kept = api.conversations.get(id)?.messages[1]?.id;
      session.send('A question the api refuses');
      streams.reply.break(refused(400, 'The request was refused.'));

      session.send('Something else');

      // The refused turn has local ids only: the api cannot place a message after them.
      expect(streams.requests[2]?.conversation).toEqual({ id, parentId: kept });
      expect(last().status).toBe('streaming');
    });

    it('starts the conversation with the next message when its first was refused', () => {
      session.send('First');
      streams.reply.break(refused(400, 'The request was refused.'));

      session.send('Second');

      expect(streams.requests[1]?.conversation).toEqual({});
      expect(last().status).toBe('streaming');
    });
  });

  describe('startNew', () => {
    it('shows an empty chat, lets a streaming reply go on on the api, and is kept by default', () => {
      session.startNew(true);
      converse('Temp', 'Temp answer');
      session.startNew();
      session.send('Hi');
      const reply = streams.reply;

      session.startNew();

      expect(session.path()).toEqual([]);
      expect(session.temporary()).toBe(false);
      expect(session.title()).toBeUndefined();
      expect(reply.followed).toBe(false);
      expect(streams.stops).toEqual([]);
      session.send('Next');
      expect(streams.requests.at(-1)?.conversation).toEqual({});
    });
  });
});
