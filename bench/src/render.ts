/**
 * The web app's rendering cost while a long reply streams, in Chromium: a 20,000-token Markdown
 * reply at a fast pace into a conversation that already holds 50 messages. Reports the long tasks
 * (over 50 ms) seen while it streams, and the main thread's work per update of the reply (one
 * update per animation frame) by how long the reply already was, to show whether it grows with it.
 *
 *   npx nx render bench [-- --tokens 20000 --tokens-per-second 1000 --history 50 --reply code]
 *
 * Everything runs on 127.0.0.1: the fake upstream, the built api (its web app included) and
 * Debian's Chromium through playwright-core.
 */
import { startApi } from '@tokenstream/e2e-support';
import { startMockOpenAi } from '@tokenstream/mock-openai';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '20000' },
    'tokens-per-second': { type: 'string', default: '1000' },
    history: { type: 'string', default: '50' },
    /** `mixed`: what models write (headings, lists, tables, short code); `code`: one code file. */
    reply: { type: 'string', default: 'mixed' },
    /** Write a CPU profile of the page while the reply streams here (Chrome's .cpuprofile)… */
    profile: { type: 'string' },
    /** …of its first 3 seconds (`start`) or of its second half (`end`, the default). */
    'profile-part': { type: 'string', default: 'end' },
    /** Write a Chrome trace here (DevTools' Performance panel)… */
    trace: { type: 'string' },
    /** …of the reply's first 3 seconds (`start`, the default) or of its end (`end`). */
    'trace-part': { type: 'string', default: 'start' },
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

/** One long fenced TypeScript file, as a model writes when asked for a whole module. */
function longCodeReply(tokens: number): string {
  const lines = ['Here is the module:', '', '```ts'];
  let count = 0;
  for (let n = 1; count < tokens; n += 1) {
    const fn = [
      `/** Computes part ${n} of the answer. */`,
      `export function part${n}(input: number, label = 'part ${n}'): string {`,
      `  const value = input * ${n} + 1; // scaled`,
      `  return \`\${label}: \${value}\`;`,
      '}',
      '',
    ];
    lines.push(...fn);
    count += fn.join(' ').split(/\s+/).length;
  }
  lines.push('```');
  return lines.join('\n');
}

interface Sample {
  at: number;
  taskSeconds: number;
  /** The parts of it: script, style recalculation, layout (Chrome's cumulative seconds). */
  scriptSeconds: number;
  styleSeconds: number;
  layoutSeconds: number;
  updates: number;
  length: number;
}

async function mainThreadSeconds(cdp: CDPSession) {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return {
    taskSeconds: metric('TaskDuration'),
    scriptSeconds: metric('ScriptDuration'),
    styleSeconds: metric('RecalcStyleDuration'),
    layoutSeconds: metric('LayoutDuration'),
  };
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
      const firstData = text.split('\n').find((line) => line.startsWith('data:'));
      if (!firstData) throw new Error(`a history turn streamed no frame: ${text.slice(0, 200)}`);
      const start = JSON.parse(firstData.slice(5)) as {
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
    // Typed before the observers start: Playwright's first action compiles its own script in the
    // page, a long task of 60-130 ms that is the test's, not the app's (seen in a trace, --trace).
    await page.getByTestId('composer').fill('Write the long answer');
    await page.evaluate(() => {
      const state = window as unknown as {
        longTasks: number[];
        longTaskTimes: [number, number][];
        updates: number;
      };
      state.longTasks = [];
      state.longTaskTimes = [];
      state.updates = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          state.longTasks.push(entry.duration);
          state.longTaskTimes.push([Math.round(entry.startTime), Math.round(entry.duration)]);
        }
      }).observe({ type: 'longtask' });
      // An update is a frame in which the page changed (one render per animation frame at most):
      // counted by a MutationObserver's batches, as reading the reply's text every frame would
      // itself cost in proportion to its length.
      let changed = false;
      new MutationObserver(() => (changed = true)).observe(document.body, {
        childList: true,
        subtree: true,
        characterData: true,
      });
      const watch = () => {
        if (changed) state.updates += 1;
        changed = false;
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    });

    const reply = values.reply === 'code' ? longCodeReply(TOKENS) : longReply(TOKENS);
    mock.configure({
      reply,
      chunks: TOKENS,
      chunkDelayMs: Math.max(1, Math.round(1000 / TOKENS_PER_SECOND)),
    });
    const sentAt = (await page.evaluate(() => performance.now())) as number;
    const profileStart = values.profile !== undefined && values['profile-part'] === 'start';
    if (profileStart) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const startTracing = () =>
      browser.startTracing(page, {
        path: values.trace,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'disabled-by-default-v8.cpu_profiler',
          'v8.execute',
        ],
      });
    const traceStart = values.trace !== undefined && values['trace-part'] === 'start';
    if (traceStart) await startTracing();
    await page.getByTestId('composer').press('Enter');

    const samples: Sample[] = [];
    const started = Date.now();
    let profiling = profileStart;
    let tracing = traceStart;
    if (values.profile && !profileStart) await cdp.send('Profiler.enable');
    for (;;) {
      await page.waitForTimeout(500);
      const state = (await page.evaluate(() => {
        const s = window as unknown as { updates: number };
        const replies = document.querySelectorAll('[data-testid="assistant-message"]');
        const last = replies.item(replies.length - 1);
        return {
          updates: s.updates,
          length: last?.querySelector('[data-testid="assistant-text"]')?.textContent?.length ?? 0,
          state: last?.getAttribute('data-state'),
        };
      })) as { updates: number; length: number; state: string };
      samples.push({
        at: Date.now() - started,
        ...(await mainThreadSeconds(cdp)),
        updates: state.updates,
        length: state.length,
      });
      if (values.profile && !profileStart && !profiling && state.length > reply.length / 2) {
        profiling = true;
        await cdp.send('Profiler.start');
      }
      if (traceStart && tracing && Date.now() - started > 3_000) {
        tracing = false;
        await browser.stopTracing();
      }
      // The rendered text is shorter than the Markdown: the end is reckoned by the pace instead.
      const nominalMs = (TOKENS / TOKENS_PER_SECOND) * 1000;
      if (values.trace && !traceStart && !tracing && Date.now() - started > nominalMs * 0.9) {
        tracing = true;
        await startTracing();
      }
      if (profileStart && profiling && Date.now() - started > 3_000) {
        profiling = false;
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
        writeFileSync(values.profile as string, JSON.stringify(profile));
      }
      if (state.state !== 'streaming' && samples.length > 2) break;
      if (Date.now() - started > 10 * 60_000) throw new Error('the reply took over 10 minutes');
    }
    if (tracing) await browser.stopTracing();
    if (profiling && values.profile) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      writeFileSync(values.profile, JSON.stringify(profile));
    }
    const longTasks = (await page.evaluate(
      () => (window as unknown as { longTasks: number[] }).longTasks,
    )) as number[];

    // Main-thread work per update, by how far the reply had come (in quarters of its length).
    const last = samples[samples.length - 1] as Sample;
    const total = last.length;
    const quarters = [0, 1, 2, 3].map((q) => {
      const inQuarter = samples.filter(
        (s, i) => i > 0 && s.length > (q * total) / 4 && s.length <= ((q + 1) * total) / 4,
      );
      const sum = { task: 0, script: 0, style: 0, layout: 0, updates: 0 };
      for (const s of inQuarter) {
        const before = samples[samples.indexOf(s) - 1] as Sample;
        sum.task += s.taskSeconds - before.taskSeconds;
        sum.script += s.scriptSeconds - before.scriptSeconds;
        sum.style += s.styleSeconds - before.styleSeconds;
        sum.layout += s.layoutSeconds - before.layoutSeconds;
        sum.updates += s.updates - before.updates;
      }
      const perUpdate = (seconds: number) =>
        sum.updates ? Math.round((seconds * 100_000) / sum.updates) / 100 : 0;
      return {
        updates: sum.updates,
        msPerUpdate: perUpdate(sum.task),
        script: perUpdate(sum.script),
        style: perUpdate(sum.style),
        layout: perUpdate(sum.layout),
      };
    });
    const streamedMs = last.at;
    console.log(
      JSON.stringify(
        {
          tokens: TOKENS,
          tokensPerSecond: TOKENS_PER_SECOND,
          historyMessages: HISTORY_MESSAGES,
          replyChars: total,
          streamedSeconds: Math.round(streamedMs / 100) / 10,
          updates: last.updates,
          longTasksOver50ms: longTasks.length,
          longestTaskMs: Math.round(Math.max(0, ...longTasks)),
          // [ms after the message was sent, duration] of each long task.
          longTasks: (
            (await page.evaluate(
              () => (window as unknown as { longTaskTimes: [number, number][] }).longTaskTimes,
            )) as [number, number][]
          ).map(([at, ms]) => [Math.round(at - sentAt), ms]),
          // ms of main-thread work per update in each quarter of the reply, and its parts.
          perUpdateByQuarter: quarters,
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
