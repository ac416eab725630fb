/**
 * The web app's rendering cost while a long reply streams, in Chromium: a 20,000-token Markdown
 * reply at a fast pace into a conversation that already holds 50 messages. Reports the long tasks
 * (over 50 ms) seen while it streams, and the main thread's work per update of the reply (one
 * update per animation frame) by how long the reply already was, to show whether it grows with it.
 *
 *   npx nx render bench [-- --tokens 20000 --tokens-per-second 1000 --history 50]
 *
 * Everything runs on 127.0.0.1: the fake upstream, the built api (its web app included) and
 * Debian's Chromium through playwright-core.
 */
import { startApi } from '@tokenstream/e2e-support';
import { startMockOpenAi } from '@tokenstream/mock-openai';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '20000' },
    'tokens-per-second': { type: 'string', default: '1000' },
    history: { type: 'string', default: '50' },
  },
});
const TOKENS = Number(values.tokens);
const TOKENS_PER_SECOND = Number(values['tokens-per-second']);
const HISTORY_MESSAGES = Number(values.history);

/** A long reply with what models write: headings, paragraphs, lists, code, tables. */
function longReply(tokens: number): string {
  const parts: string[] = [];
  let count = 0;
  for (let section = 1; count < tokens; section += 1) {
    const block = [
      `## Section ${section}`,
      '',
      `This paragraph explains **part ${section}** of the answer, with \`inline code\`, a [link](https://example.com/${section}) and enough words to wrap across a few lines on a laptop screen.`,
      '',
      `- first point of section ${section}`,
      `- second point, with *emphasis*`,
      `- third point`,
      '',
      '```ts',
      `export function section${section}(input: number): number {`,
      `  return input * ${section} + 1;`,
      '}',
      '```',
      '',
      '| name | value |',
      '| --- | ---: |',
      `| alpha | ${section} |`,
      `| beta | ${section * 2} |`,
      '',
    ].join('\n');
    parts.push(block);
    // About one token per word or symbol run, as the mock splits the text into `chunks` pieces.
    count += block.split(/\s+/).length;
  }
  return parts.join('\n');
}

interface Sample {
  at: number;
  taskSeconds: number;
  updates: number;
  length: number;
}

async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
}

async function main(): Promise<void> {
  const mock = await startMockOpenAi({ reply: 'A short answer, kept for the history.', chunks: 8 });
  const api = await startApi(
    {
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: mock.url,
      DATABASE_DIR: 'memory://',
      LIMIT_REQUESTS_PER_MINUTE: '0',
      LIMIT_TOKENS_PER_DAY: '0',
      STREAM_MAX_BYTES: String(64 * 1024 * 1024),
    },
    { webApp: true },
  );
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    // The history: HISTORY_MESSAGES / 2 turns, kept by the api as the app keeps them.
    let conversationId: string | undefined;
    let parentId: string | undefined;
    for (let turn = 0; turn < HISTORY_MESSAGES / 2; turn += 1) {
      const response = await fetch(`${api.url}/api/chat/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: [{ role: 'user', content: `Question ${turn + 1}` }],
          conversation: { id: conversationId, parentId },
        }),
      });
      const text = await response.text();
      const start = JSON.parse(
        text
          .split('\n')
          .find((l) => l.startsWith('data:'))!
          .slice(5),
      ) as {
        conversation: { id: string; messageId: string };
      };
      conversationId = start.conversation.id;
      parentId = start.conversation.messageId;
    }

    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${api.url}/?c=${conversationId}`);
    await page
      .getByTestId('assistant-message')
      .nth(HISTORY_MESSAGES / 2 - 1)
      .waitFor();
    await page.evaluate(() => {
      const state = window as unknown as { longTasks: number[]; updates: number; length: number };
      state.longTasks = [];
      state.updates = 0;
      state.length = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) state.longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
      const watch = () => {
        const replies = document.querySelectorAll('[data-testid="assistant-text"]');
        const length = replies.item(replies.length - 1)?.textContent?.length ?? 0;
        if (length !== state.length) {
          state.updates += 1;
          state.length = length;
        }
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    });

    const reply = longReply(TOKENS);
    mock.configure({
      reply,
      chunks: TOKENS,
      chunkDelayMs: Math.max(1, Math.round(1000 / TOKENS_PER_SECOND)),
    });
    await page.getByTestId('composer').fill('Write the long answer');
    await page.getByTestId('composer').press('Enter');

    const samples: Sample[] = [];
    const started = Date.now();
    for (;;) {
      await page.waitForTimeout(500);
      const state = (await page.evaluate(() => {
        const s = window as unknown as { updates: number; length: number };
        const replies = document.querySelectorAll('[data-testid="assistant-message"]');
        return {
          updates: s.updates,
          length: s.length,
          state: replies.item(replies.length - 1)?.getAttribute('data-state'),
        };
      })) as { updates: number; length: number; state: string };
      samples.push({
        at: Date.now() - started,
        taskSeconds: await taskSeconds(cdp),
        updates: state.updates,
        length: state.length,
      });
      if (state.state !== 'streaming' && samples.length > 2) break;
      if (Date.now() - started > 10 * 60_000) throw new Error('the reply took over 10 minutes');
    }
    const longTasks = (await page.evaluate(
      () => (window as unknown as { longTasks: number[] }).longTasks,
    )) as number[];

    // Main-thread work per update, by how far the reply had come (in quarters of its length).
    const total = samples.at(-1)!.length;
    const quarters = [0, 1, 2, 3].map((q) => {
      const inQuarter = samples.filter(
        (s, i) => i > 0 && s.length > (q * total) / 4 && s.length <= ((q + 1) * total) / 4,
      );
      let work = 0;
      let updates = 0;
      for (const s of inQuarter) {
        const before = samples[samples.indexOf(s) - 1]!;
        work += s.taskSeconds - before.taskSeconds;
        updates += s.updates - before.updates;
      }
      return { quarter: q + 1, updates, msPerUpdate: updates ? (work * 1000) / updates : 0 };
    });
    const streamedMs = samples.at(-1)!.at;
    console.log(
      JSON.stringify(
        {
          tokens: TOKENS,
          tokensPerSecond: TOKENS_PER_SECOND,
          historyMessages: HISTORY_MESSAGES,
          replyChars: total,
          streamedSeconds: Math.round(streamedMs / 100) / 10,
          updates: samples.at(-1)!.updates,
          longTasksOver50ms: longTasks.length,
          longestTaskMs: Math.round(Math.max(0, ...longTasks)),
          msPerUpdateByQuarter: quarters.map((q) => Math.round(q.msPerUpdate * 100) / 100),
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await api.stop();
    await mock.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
