import { replyOf } from '@tokenstream/e2e-support';
import { useApiUnderTest } from './support/api-under-test';
import { keptReply, playTurn, type Caller } from './support/conversation-client';

const THINKING = 'The user greets me; a greeting back will do.';
const REPLY = 'Hello to you too.';

describe('a reasoning model on the native protocol', () => {
  const app = useApiUnderTest({ upstream: { reply: REPLY, reasoning: THINKING, chunks: 4 } });
  const caller = (): Caller => ({ url: app.url });

  it('streams its thinking as reasoning-delta frames before the text, and keeps both apart', async () => {
    const { transcript, place } = await playTurn(caller(), { text: 'Hi' });
    const types = transcript.frames.map(({ frame }) => frame.type);
    const firstText = types.indexOf('text-delta');
    const lastThought = types.lastIndexOf('reasoning-delta');
    expect(lastThought).toBeGreaterThan(0);
    expect(lastThought).toBeLessThan(firstText);
    const thinking = replyOf(transcript.frames).reasoning;
    expect(thinking).toBe(THINKING);
    expect(transcript.text()).toBe(REPLY);

    const kept = await keptReply(caller(), place);
    expect(kept).toMatchObject({ content: REPLY, reasoning: THINKING, status: 'complete' });

    // The next turn: the model reads the reply's text, never its thinking.
    await playTurn(caller(), { text: 'And?', id: place.id, parentId: place.messageId });
    const messages = app.upstream.stats().lastRequest?.body['messages'];
    expect(messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: REPLY },
      { role: 'user', content: 'And?' },
    ]);
  });
});
