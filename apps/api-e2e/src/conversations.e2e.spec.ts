import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readStream,
  writeKeysFile,
  type ApiProcess,
  type StreamTranscript,
} from '@tokenstream/e2e-support';
import { type MockOpenAi } from '@tokenstream/mock-openai';
import {
  ApiPaths,
  LAST_EVENT_ID_HEADER,
  STREAM_ID_HEADER,
  type ApiErrorBody,
  type Conversation,
  type ConversationMessage,
} from '@tokenstream/stream-contracts';
import {
  conversationRequest,
  keptReply,
  listConversations,
  placeOf,
  playTurn,
  readConversation,
  startTurn,
  type Caller,
} from './support/conversation-client';
import { useApiUnderTest } from './support/api-under-test';
import { openStream } from './support/stream-client';

// Multi-byte characters, so a partial reply cut inside one would show.
const REPLY =
  'Lisbon sits on seven hills 🙂: yellow trams climb them, the river Tejo shines below, ' +
  'and every café sells pastéis de nata, 日本語 menus included. Obrigado!';

/** How long a reply goes on after its last reader left: short, so abandoned replies end soon. */
const GRACE_MS = 1_000;

/** A reply slow enough to be stopped or left in the middle: 60 pieces, 3 s. */
const SLOW = { chunks: 60, chunkDelayMs: 50 };

const KEYS = {
  alice: 'tsk_alice_0123456789abcdef',
  bob: 'tsk_bob_0123456789abcdef',
  carol: 'tsk_carol_0123456789abcdef',
  dave: 'tsk_dave_0123456789abcdef',
  erin: 'tsk_erin_0123456789abcdef',
  frank: 'tsk_frank_0123456789abcdef',
};
type Name = keyof typeof KEYS;

function textDeltas(transcript: StreamTranscript): number {
  return transcript.frames.filter(({ frame }) => frame.type === 'text-delta').length;
}

/** The messages the mock upstream got in the last chat request: what the model read. */
function modelRead(mock: MockOpenAi): unknown {
  return mock.stats().lastRequest?.body.messages;
}

async function errorOf(response: Response): Promise<ApiErrorBody & { problems?: unknown[] }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get(STREAM_ID_HEADER)).toBeNull();
  return (await response.json()) as ApiErrorBody & { problems?: unknown[] };
}

function streamIdOf(transcript: StreamTranscript): string {
  const id = transcript.response.headers.get(STREAM_ID_HEADER);
  if (!id) throw new Error('the stream has no id');
  return id;
}

function message(conversation: Conversation, id: string): ConversationMessage {
  const found = conversation.messages.find((m) => m.id === id);
  if (!found) throw new Error(`no message ${id} in ${JSON.stringify(conversation.messages)}`);
  return found;
}

/** The fake upstream's replies unless a test says otherwise. */
const UPSTREAM = { reply: REPLY, chunks: 10, chunkDelayMs: 2 };

describe('kept conversations, embedded database, callers with their own API keys', () => {
  const app = useApiUnderTest({
    upstream: UPSTREAM,
    env: {
      AUTH_MODE: 'apikey',
      API_KEYS_FILE: writeKeysFile(Object.entries(KEYS).map(([name, key]) => ({ name, key }))),
      DATABASE_DIR: 'memory://',
      STREAM_RESUME_GRACE_MS: String(GRACE_MS),
    },
  });
  const as = (name: Name): Caller => ({ url: app.url, headers: { 'x-api-key': KEYS[name] } });

  beforeAll(async () => {
    // The embedded database opens at first use, which takes seconds: not inside the first test.
    await listConversations(as('alice'));
  });

  it('answers 404 to another caller for a conversation and its messages, and leaves it as it was', async () => {
    const alice = as('alice');
    const bob = as('bob');
    const { place } = await playTurn(alice, { text: 'Hello from Alice' });
    await keptReply(alice, place);
    const before = await readConversation(alice, place.id);
    const { place: bobs } = await playTurn(bob, { text: 'Hello from Bob' });
    const requestsBefore = app.upstream.stats().requests;

    const refusals: [string, () => Promise<Response>][] = [
      ['GET', () => conversationRequest(bob, 'GET', place.id)],
      ['PATCH title', () => conversationRequest(bob, 'PATCH', place.id, { title: 'Bob was here' })],
      [
        'PATCH activeLeafId',
        () => conversationRequest(bob, 'PATCH', place.id, { activeLeafId: place.parentId }),
      ],
      ['DELETE', () => conversationRequest(bob, 'DELETE', place.id)],
      ['a turn in it', () => startTurn(bob, { text: 'Mine now', id: place.id })],
      [
        'a turn after its reply',
        () => startTurn(bob, { text: 'Mine now', id: place.id, parentId: place.messageId }),
      ],
      [
        'a regenerate of its message',
        () => startTurn(bob, { id: place.id, parentId: place.parentId }),
      ],
      [
        'its reply as the parent in his own conversation',
        () => startTurn(bob, { text: 'Borrowed', id: bobs.id, parentId: place.messageId }),
      ],
    ];
    for (const [what, send] of refusals) {
      const response = await send();
      expect({ what, status: response.status }).toEqual({ what, status: 404 });
      expect(await errorOf(response)).toMatchObject({ code: 'conversation_not_found' });
    }
    // Nothing was asked of the model for him.
    expect(app.upstream.stats().requests).toBe(requestsBefore);
    expect((await listConversations(bob)).conversations.map(({ id }) => id)).toEqual([bobs.id]);

    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const response = await conversationRequest(
        alice,
        method,
        'not-a-uuid',
        method === 'PATCH' ? { title: 'x' } : undefined,
      );
      expect({ method, status: response.status }).toEqual({ method, status: 404 });
      expect(await errorOf(response)).toMatchObject({ code: 'conversation_not_found' });
    }

    expect(await readConversation(alice, place.id)).toEqual(before);
    expect(before.messages.map(({ role, content }) => [role, content])).toEqual([
      ['user', 'Hello from Alice'],
      ['assistant', REPLY],
    ]);

    // What Bob was refused, Alice may do.
    const renamed = await conversationRequest(alice, 'PATCH', place.id, { title: 'Greetings' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: place.id, title: 'Greetings' });
    expect((await conversationRequest(alice, 'DELETE', place.id)).status).toBe(204);
    expect((await conversationRequest(alice, 'GET', place.id)).status).toBe(404);
    expect((await listConversations(alice)).conversations.map(({ id }) => id)).not.toContain(
      place.id,
    );
  });

  it('keeps the partial reply the user stopped, exactly as they saw it, as cancelled', async () => {
    app.upstream.configure(SLOW);
    const alice = as('alice');
    let stopped: Promise<Response> | undefined;
    const transcript = await readStream(await startTurn(alice, { text: 'Tell me about Lisbon' }), {
      until: (t) => {
        if (!stopped && textDeltas(t) >= 5) {
          stopped = fetch(new URL(ApiPaths.stream(streamIdOf(t)), app.url), {
            method: 'DELETE',
            headers: alice.headers,
          });
        }
        return false;
      },
    });
    expect((await stopped)?.status).toBe(204);
    expect(transcript.frames.at(-1)?.frame).toEqual({ type: 'finish', finishReason: 'cancelled' });
    const seen = transcript.text();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(REPLY.length);

    const kept = await keptReply(alice, placeOf(transcript));
    expect(kept).toMatchObject({
      role: 'assistant',
      status: 'cancelled',
      content: seen,
      finishReason: 'cancelled',
      errorCode: null,
    });
  });

  it('keeps the partial reply of a reader who left for good, as failed stream_abandoned', async () => {
    app.upstream.configure(SLOW);
    const alice = as('alice');
    const leave = new AbortController();
    const transcript = await readStream(
      await startTurn(alice, { text: 'Tell me more about Lisbon' }, leave.signal),
      { until: (t) => textDeltas(t) >= 5 },
    );
    leave.abort();
    const seen = transcript.text();

    const kept = await keptReply(alice, placeOf(transcript));
    expect(kept).toMatchObject({ status: 'failed', errorCode: 'stream_abandoned' });
    // The text generated until the grace period ran out: what the reader saw and on, not all.
    expect(kept.content.startsWith(seen)).toBe(true);
    expect(REPLY.startsWith(kept.content)).toBe(true);
    expect(kept.content.length).toBeGreaterThan(0);
    expect(kept.content.length).toBeLessThan(REPLY.length);
  });

  it('keeps the whole reply of a reader who left and came back to it', async () => {
    app.upstream.configure({ chunks: 60, chunkDelayMs: 20 });
    const alice = as('alice');
    const leave = new AbortController();
    const first = await readStream(await startTurn(alice, { text: 'And Porto?' }, leave.signal), {
      until: (t) => textDeltas(t) >= 3,
    });
    leave.abort();
    const place = placeOf(first);
    // Gone for a moment (well inside the grace period), then back from where it stopped, with
    // the stream the kept reply names (as a reloaded page finds it).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const generating = message(await readConversation(alice, place.id), place.messageId);
    expect(generating).toMatchObject({ status: 'generating', streamId: streamIdOf(first) });
    const rest = await readStream(
      await fetch(new URL(ApiPaths.streamEvents(streamIdOf(first)), app.url), {
        headers: { ...alice.headers, [LAST_EVENT_ID_HEADER]: String(first.frames.at(-1)?.id) },
      }),
    );
    expect(first.text() + rest.text()).toBe(REPLY);
    expect(rest.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });

    expect(await keptReply(alice, place)).toMatchObject({
      status: 'complete',
      content: REPLY,
      finishReason: 'stop',
      errorCode: null,
    });
  });

  it('keeps edits and regenerates as sibling branches, and the model reads only the branch it continues', async () => {
    const carol = as('carol');
    const turn = async (
      input: { text?: string; parentId?: string; id?: string },
      reply: string,
    ) => {
      app.upstream.configure({ reply, chunks: 3 });
      // The next turn goes as soon as the finish frame arrives, as a user sends it.
      const { place, transcript } = await playTurn(carol, input);
      expect(transcript.text()).toBe(reply);
      // The branch shown is the one the latest turn went on.
      expect((await readConversation(carol, place.id)).activeLeafId).toBe(place.messageId);
      return place;
    };
    const q1 = 'What is the capital of Portugal?';
    const first = await turn({ text: q1 }, 'Lisbon.');
    const id = first.id;
    expect(modelRead(app.upstream)).toEqual([{ role: 'user', content: q1 }]);

    const second = await turn({ id, parentId: first.messageId, text: 'And of Spain?' }, 'Madrid.');
    expect(modelRead(app.upstream)).toEqual([
      { role: 'user', content: q1 },
      { role: 'assistant', content: 'Lisbon.' },
      { role: 'user', content: 'And of Spain?' },
    ]);

    // Regenerate: the same user message answered again, a sibling of the first answer.
    const again = await turn({ id, parentId: second.parentId }, 'Madrid, since 1561.');
    expect(again.parentId).toBe(second.parentId);
    expect(modelRead(app.upstream)).toEqual([
      { role: 'user', content: q1 },
      { role: 'assistant', content: 'Lisbon.' },
      { role: 'user', content: 'And of Spain?' },
    ]);

    // Edit: another user message after the same reply, a sibling of "And of Spain?".
    const edited = await turn({ id, parentId: first.messageId, text: 'And of France?' }, 'Paris.');
    expect(modelRead(app.upstream)).toEqual([
      { role: 'user', content: q1 },
      { role: 'assistant', content: 'Lisbon.' },
      { role: 'user', content: 'And of France?' },
    ]);

    // Editing the first message: a new root.
    const root = await turn({ id, text: 'What is the capital of Italy?' }, 'Rome.');
    expect(modelRead(app.upstream)).toEqual([
      { role: 'user', content: 'What is the capital of Italy?' },
    ]);

    // Going on from the first answer about Spain: the regenerated answer is not in it.
    const onward = await turn({ id, parentId: second.messageId, text: 'Bigger?' }, 'Yes.');
    expect(modelRead(app.upstream)).toEqual([
      { role: 'user', content: q1 },
      { role: 'assistant', content: 'Lisbon.' },
      { role: 'user', content: 'And of Spain?' },
      { role: 'assistant', content: 'Madrid.' },
      { role: 'user', content: 'Bigger?' },
    ]);

    const kept = await readConversation(carol, id);
    expect(kept.activeLeafId).toBe(onward.messageId);
    const tree = (messageId: string) => {
      const { role, content, parentId, status } = message(kept, messageId);
      return { role, content, parentId, status };
    };
    expect(tree(first.parentId)).toEqual({
      role: 'user',
      content: q1,
      parentId: null,
      status: 'complete',
    });
    expect(tree(root.parentId)).toMatchObject({ role: 'user', parentId: null });
    expect(tree(second.parentId)).toMatchObject({ role: 'user', parentId: first.messageId });
    expect(tree(edited.parentId)).toMatchObject({ role: 'user', parentId: first.messageId });
    expect(tree(second.messageId)).toEqual({
      role: 'assistant',
      content: 'Madrid.',
      parentId: second.parentId,
      status: 'complete',
    });
    expect(tree(again.messageId)).toEqual({
      role: 'assistant',
      content: 'Madrid, since 1561.',
      parentId: second.parentId,
      status: 'complete',
    });
    // Five user messages and six replies: nothing lost, nothing doubled.
    expect(kept.messages).toHaveLength(11);

    // Showing an older branch again sticks.
    const shown = await conversationRequest(carol, 'PATCH', id, { activeLeafId: again.messageId });
    expect(shown.status).toBe(200);
    expect((await readConversation(carol, id)).activeLeafId).toBe(again.messageId);
    expect((await readConversation(carol, id)).activeLeafId).toBe(again.messageId);
  });

  it('refuses a bad turn with a 400 or 404 before any stream opens, and keeps nothing', async () => {
    const dave = as('dave');
    const { place } = await playTurn(dave, { text: 'First question' });
    const { place: other } = await playTurn(dave, { text: 'Another conversation' });
    await keptReply(dave, place);
    await keptReply(dave, other);
    const before = await readConversation(dave, place.id);
    const listBefore = await listConversations(dave);
    const requestsBefore = app.upstream.stats().requests;
    const post = (body: Record<string, unknown>) =>
      openStream(app.url, body, undefined, dave.headers);

    // Each refusal: a 404 for what the caller does not have, or a 400 whose problems match.
    const refusals: [string, () => Promise<Response>, 404 | RegExp][] = [
      [
        'history sent along with a conversation',
        () =>
          post({
            messages: [
              { role: 'user', content: 'First question' },
              { role: 'assistant', content: 'Something I made up' },
              { role: 'user', content: 'Go on' },
            ],
            conversation: { id: place.id, parentId: place.messageId },
          }),
        /only the new user message/,
      ],
      [
        'history sent along with a new conversation',
        () =>
          post({
            messages: [
              { role: 'user', content: 'Earlier' },
              { role: 'assistant', content: 'Made up' },
              { role: 'user', content: 'Go on' },
            ],
            conversation: {},
          }),
        /only the new user message/,
      ],
      [
        'a lone assistant message',
        () =>
          post({
            messages: [{ role: 'assistant', content: 'I said this' }],
            conversation: { id: place.id, parentId: place.messageId },
          }),
        /only the new user message/,
      ],
      [
        'a parent from another conversation',
        () => startTurn(dave, { id: place.id, parentId: other.messageId, text: 'Go on' }),
        404,
      ],
      [
        'a parent no conversation has',
        () => startTurn(dave, { id: place.id, parentId: crypto.randomUUID(), text: 'Go on' }),
        404,
      ],
      [
        'a regenerate of an assistant message',
        () => startTurn(dave, { id: place.id, parentId: place.messageId }),
        /must name a user message/,
      ],
      [
        'a new message after a user message',
        () => startTurn(dave, { id: place.id, parentId: place.parentId, text: 'Go on' }),
        /must name a reply/,
      ],
      [
        'a regenerate with no parent',
        () => startTurn(dave, { id: place.id }),
        /must name the user message to answer again/,
      ],
      [
        'a parent without its conversation',
        () => startTurn(dave, { parentId: place.messageId, text: 'Go on' }),
        /needs conversation\.id/,
      ],
      [
        'a conversation id that is not one',
        () => startTurn(dave, { id: 'my-chat', text: 'Go on' }),
        /must be an id the server made/,
      ],
    ];
    for (const [what, send, expected] of refusals) {
      const response = await send();
      const body = await errorOf(response);
      if (expected === 404) {
        expect({ what, status: response.status, code: body.code }).toEqual({
          what,
          status: 404,
          code: 'conversation_not_found',
        });
      } else {
        expect({ what, status: response.status, code: body.code }).toEqual({
          what,
          status: 400,
          code: 'invalid_request',
        });
        expect({ what, problems: JSON.stringify(body.problems) }).toEqual({
          what,
          problems: expect.stringMatching(expected),
        });
      }
    }

    expect(app.upstream.stats().requests).toBe(requestsBefore);
    expect(await readConversation(dave, place.id)).toEqual(before);
    expect(await listConversations(dave)).toEqual(listBefore);
  });

  it('keeps nothing of a temporary chat', async () => {
    const erin = as('erin');
    const response = await openStream(
      app.url,
      { messages: [{ role: 'user', content: 'Off the record' }] },
      undefined,
      erin.headers,
    );
    const transcript = await readStream(response);
    expect(transcript.text()).toBe(REPLY);
    expect(transcript.frames[0]?.frame).not.toHaveProperty('conversation');
    expect(await listConversations(erin)).toEqual({ conversations: [], nextCursor: null });
    expect(await listConversations(erin, { q: 'record' })).toEqual({
      conversations: [],
      nextCursor: null,
    });
  });
  it('finds conversations by title or message text, and pages through all of them once', async () => {
    const frank = as('frank');
    const made: Record<string, string> = {};
    for (const [text, reply] of [
      ['Plan a weekend in Lisbon', 'Start at the Alfama.'],
      ['Bread recipe', 'Knead the dough with a pinch of SAFFRON.'],
      ['Fix my bicycle', 'Check the chain first.'],
      ['Lisbon trams', 'Take the 28.'],
      ['Discount of 50% off?', 'It halves the price.'],
      ['Tax questions', 'Keep your receipts.'],
      ['Garden in spring', 'Plant tulips in autumn.'],
    ]) {
      app.upstream.configure({ reply, chunks: 2 });
      const { place } = await playTurn(frank, { text });
      await keptReply(frank, place);
      made[text] = place.id;
    }
    const titles = async (q: string) =>
      (await listConversations(frank, { q })).conversations.map(({ title }) => title).sort();

    expect(await titles('lisbon')).toEqual(['Lisbon trams', 'Plan a weekend in Lisbon']);
    // Found by a reply's text, in any case.
    expect(await titles('saffron')).toEqual(['Bread recipe']);
    // A wildcard typed by the user is a letter like any other.
    expect(await titles('%')).toEqual(['Discount of 50% off?']);
    expect(await titles('no such words')).toEqual([]);

    // A new title is found, and puts the conversation first.
    const renamed = await conversationRequest(frank, 'PATCH', made['Tax questions'], {
      title: 'Receipts for 2026',
    });
    expect(renamed.status).toBe(200);
    expect(await titles('receipts FOR')).toEqual(['Receipts for 2026']);
    // Still found by what was said in it.
    expect(await titles('tax')).toEqual(['Receipts for 2026']);

    const all = await listConversations(frank, { limit: '100' });
    expect(all.nextCursor).toBeNull();
    expect(all.conversations.map(({ id }) => id).sort()).toEqual(Object.values(made).sort());
    // Most recently changed first.
    expect(all.conversations.slice(0, 2).map(({ id }) => id)).toEqual([
      made['Tax questions'],
      made['Garden in spring'],
    ]);

    const paged: string[] = [];
    let cursor: string | null = null;
    for (let page = 1; page <= 10; page += 1) {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const { conversations, nextCursor } = await listConversations(frank, query);
      expect(conversations.length).toBeLessThanOrEqual(2);
      paged.push(...conversations.map(({ id }) => id));
      cursor = nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(paged).toEqual(all.conversations.map(({ id }) => id));

    const badQueries: Record<string, string>[] = [
      { cursor: 'not-a-cursor' },
      { cursor: btoa('["x","y"]') },
      { limit: '0' },
    ];
    for (const query of badQueries) {
      const response = await conversationRequest(frank, 'GET', undefined, undefined, query);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(await errorOf(response)).toMatchObject({
        code: 'invalid_request',
        problems: [{ path: Object.keys(query)[0] }],
      });
    }
  });
});

describe('kept conversations in a folder, across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenstream-conversations-'));
  const env = {
    DATABASE_DIR: dir,
    // Long enough for any reply here to finish with nobody reading it.
    STREAM_RESUME_GRACE_MS: '5000',
    STREAM_DRAIN_MS: '1500',
  };
  const app = useApiUnderTest({ upstream: UPSTREAM, env });
  let api: ApiProcess;
  const caller = (): Caller => ({ url: api.url });

  beforeAll(async () => {
    api = app.api;
    await listConversations(caller());
  });
  // After the apis have stopped: the folder is theirs until then.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the whole reply though nobody read past its start frame', async () => {
    app.upstream.configure({ chunks: 30, chunkDelayMs: 20 });
    const leave = new AbortController();
    const transcript = await readStream(
      await startTurn(caller(), { text: 'Write it down for later' }, leave.signal),
      { until: (t) => t.frames.length >= 1 },
    );
    leave.abort();
    expect(textDeltas(transcript)).toBe(0);

    expect(await keptReply(caller(), placeOf(transcript))).toMatchObject({
      status: 'complete',
      content: REPLY,
      finishReason: 'stop',
      errorCode: null,
    });
  });

  // Last in this block: it replaces the api.
  it('has every conversation after a restart, and the replies a SIGTERM caught in flight', async () => {
    const { place: earlier } = await playTurn(caller(), { text: 'Remember me' });
    await keptReply(caller(), earlier);
    const before = await readConversation(caller(), earlier.id);

    // One reply longer than the drain, one that finishes within it.
    app.upstream.configure({ chunks: 80, chunkDelayMs: 50 });
    let underway!: () => void;
    const longStarted = new Promise<void>((resolve) => (underway = resolve));
    const long = readStream(await startTurn(caller(), { text: 'A long story, please' }), {
      until: (t) => {
        if (textDeltas(t) >= 5) underway();
        return false;
      },
    });
    await longStarted;
    const short = readStream(
      await startTurn(caller(), {
        text: 'mock-openai:{"reply":"Short and sweet.","chunks":3,"chunkDelayMs":150}',
      }),
    );
    const exited = api.stop();
    const [longSeen, shortSeen] = await Promise.all([long, short]);
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(longSeen.frames.at(-1)?.frame).toMatchObject({
      type: 'error',
      code: 'server_shutting_down',
    });
    expect(shortSeen.frames.at(-1)?.frame).toMatchObject({ type: 'finish', finishReason: 'stop' });

    api = await app.startApi(env);
    expect(await readConversation(caller(), earlier.id)).toEqual(before);
    const longKept = await readConversation(caller(), placeOf(longSeen).id);
    expect(message(longKept, placeOf(longSeen).messageId)).toMatchObject({
      status: 'failed',
      errorCode: 'server_shutting_down',
      content: longSeen.text(),
    });
    expect(longSeen.text().length).toBeGreaterThan(0);
    const shortKept = await readConversation(caller(), placeOf(shortSeen).id);
    expect(message(shortKept, placeOf(shortSeen).messageId)).toMatchObject({
      status: 'complete',
      content: 'Short and sweet.',
      finishReason: 'stop',
    });
    const listed = (await listConversations(caller())).conversations.map(({ id }) => id);
    expect(listed).toEqual(
      expect.arrayContaining([earlier.id, placeOf(longSeen).id, placeOf(shortSeen).id]),
    );

    // The conversation goes on where it was, and the model reads what came before.
    app.upstream.reset();
    await playTurn(caller(), { id: earlier.id, parentId: earlier.messageId, text: 'Still there?' });
    expect(modelRead(app.upstream)).toEqual([
      { role: 'user', content: 'Remember me' },
      { role: 'assistant', content: REPLY },
      { role: 'user', content: 'Still there?' },
    ]);
  });
});
