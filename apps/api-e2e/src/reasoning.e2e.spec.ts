import { startApi, type ApiProcess } from '@tokenstream/e2e-support';
import { startMockOpenAi, type MockOpenAi } from '@tokenstream/mock-openai';
import { keptReply, playTurn, type Caller } from './support/conversation-client';

const THINKING = 'The user greets me; a greeting back will do.';
const REPLY = 'Hello to you too.';

describe('a reasoning model on the native protocol', () => {
  let mock: MockOpenAi;
  let api: ApiProcess;
  let caller: Caller;

  beforeAll(async () => {
    mock = await startMockOpenAi({ reply: REPLY, reasoning: THINKING, chunks: 4 });
    api = await startApi({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: mock.url });
    caller = { url: api.url };
  });
  afterAll(async () => {
    await api?.stop();
    await mock?.close();
  });

  it('streams its thinking as reasoning-delta frames before the text, and keeps both apart', async () => {
    const { transcript, place } = await playTurn(caller, { text: 'Hi' });
    const types = transcript.frames.map(({ frame }) => frame.type);
    const firstText = types.indexOf('text-delta');
    const lastThought = types.lastIndexOf('reasoning-delta');
    expect(lastThought).toBeGreaterThan(0);
    expect(lastThought).toBeLessThan(firstText);
    const thinking = transcript.frames
      .map(({ frame }) => (frame.type === 'reasoning-delta' ? frame.delta : ''))
      .join('');
    expect(thinking).toBe(THINKING);
    expect(transcript.text()).toBe(REPLY);

    const kept = await keptReply(caller, place);
    expect(kept).toMatchObject({ content: REPLY, reasoning: THINKING, status: 'complete' });

    // The next turn: the model reads the reply's text, never its thinking.
    await playTurn(caller, { text: 'And?', id: place.id, parentId: place.messageId });
    const messages = mock.stats().lastRequest?.body['messages'];
    expect(messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: REPLY },
      { role: 'user', content: 'And?' },
    ]);
  });
});
