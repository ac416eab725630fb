/**
 * What the embedded database (PGlite) costs the api in memory: the api's RSS before the database
 * opens, the peak while it opens, and where it settles once conversations are kept, for a data
 * folder made anew (initdb) and for one that exists (every later start). The figures of the Helm
 * chart's memory for one replica on the embedded database come from here (bench/README.md).
 *
 *   npx nx run bench:embedded-database
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeChild } from './node-child';
import { residentMiB, watchPeakRss } from './process-memory';

/** Turns kept after the database opened: enough to write to every table, bounded. */
const TURNS = 20;
/** How long the api is left alone after the turns, for a collection to give memory back. */
const SETTLE_MS = 10_000;

interface Figures {
  idle: number;
  peak: number;
  settled: number;
}

async function measureStart(dataDir: string): Promise<Figures> {
  const { url, child } = await startNodeChild(['dist/apps/api/main.js'], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_DIR: dataDir,
    WEB_DIST_DIR: '/nonexistent',
    DEMO_TOKEN_DELAY_MS: '0',
  });
  const pid = child.pid as number;
  try {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idle = residentMiB(pid);
    const watch = watchPeakRss(pid);
    // The first list of conversations opens the database (as the chat's first page does).
    await (await fetch(`${url}/api/conversations`)).arrayBuffer();
    for (let turn = 0; turn < TURNS; turn += 1) {
      const response = await fetch(`${url}/api/chat/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: [{ role: 'user', content: `Turn ${turn}` }],
          conversation: {},
        }),
      });
      await response.arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { idle, peak: watch.stop(), settled: residentMiB(pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenstream-bench-db-'));
  try {
    const made = await measureStart(dataDir);
    const reopened = await measureStart(dataDir);
    const row = (name: string, { idle, peak, settled }: Figures) =>
      `| ${name} | ${idle.toFixed(0)} | ${peak.toFixed(0)} | ${settled.toFixed(0)} |`;
    console.log(
      [
        '| api RSS, MiB | before the database opens | peak while it opens and keeps 20 turns | 10 s after |',
        '| --- | --- | --- | --- |',
        row('a new data folder (initdb)', made),
        row('the same folder, next start', reopened),
      ].join('\n'),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
