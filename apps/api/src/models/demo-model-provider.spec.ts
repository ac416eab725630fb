import type { ChatMessage } from '@tokenstream/stream-contracts';
import { DemoModelProvider } from './demo-model-provider';
import { demoReply, demoTokens } from './demo-reply';
import type { ModelEvent } from './model-provider';
import { replyEvents } from './testing/model-replies';

const messages: ChatMessage[] = [{ role: 'user', content: 'How do I stream tokens?' }];

async function collect(iterable: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

function textOf(events: ModelEvent[]): string {
  return events.map((event) => (event.type === 'delta' ? event.text : '')).join('');
}

describe('DemoModelProvider', () => {
  it('streams the same labelled reply, token by token, and finishes with usage', async () => {
    const provider = new DemoModelProvider(0);
    const events = await collect(
      replyEvents(provider, { model: 'demo', messages }, new AbortController().signal),
    );
    const deltas = events.filter((event) => event.type === 'delta');
    expect(deltas.length).toBeGreaterThan(50);
    expect(textOf(events)).toBe(demoReply(messages));
    expect(textOf(events)).toContain('demo model');
    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: expect.objectContaining({ completionTokens: deltas.length }),
    });
  });

  it('answers with paragraphs, a list and a code block, quoting the prompt', () => {
    const reply = demoReply(messages);
    expect(reply).toContain('\n\n');
    expect(reply).toMatch(/^- /m);
    expect(reply).toMatch(/^```sh$/m);
    expect(reply).toContain('"How do I stream tokens?"');
    expect(reply).toContain('OPENAI_API_KEY');
  });

  it('keeps every character when it splits the reply into tokens', () => {
    const text = 'Hello  world\n\n- a 🙂\n```\ncode\n```  ';
    expect(demoTokens(text).join('')).toBe(text);
  });

  it('stops at maxTokens with finishReason length', async () => {
    const provider = new DemoModelProvider(0);
    const events = await collect(
      replyEvents(
        provider,
        { model: 'demo', messages, maxTokens: 5 },
        new AbortController().signal,
      ),
    );
    expect(events.filter((event) => event.type === 'delta')).toHaveLength(5);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
  });

  it('stops at once, yielding nothing more, when its signal aborts', async () => {
    const provider = new DemoModelProvider(20);
    const abort = new AbortController();
    const events: ModelEvent[] = [];
    for await (const event of replyEvents(provider, { model: 'demo', messages }, abort.signal)) {
      events.push(event);
      if (events.length === 3) abort.abort();
    }
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.type === 'delta')).toBe(true);
  });

  it('stops when its sink aborts it while taking a token, in that very turn', async () => {
    const provider = new DemoModelProvider(1);
    const abort = new AbortController();
    const seen: string[] = [];
    provider.stream({ model: 'demo', messages }, abort.signal, {
      next: (event) => {
        seen.push(event.type);
        if (seen.length === 2) abort.abort();
      },
      done: () => seen.push('done'),
      fail: () => seen.push('failed'),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['delta', 'delta', 'done']);
  });
});
