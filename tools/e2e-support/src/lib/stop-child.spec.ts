import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { exitOf } from './process-exit';
import { stopChild } from './stop-child';

/** A Node child running `script`, resolved once it printed `ready` (its handlers are in place). */
async function startChild(script: string): Promise<ChildProcessByStdio<null, Readable, null>> {
  const child = spawn(process.execPath, ['-e', `${script}; console.log('ready')`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return child;
}

const LINGER = 'setInterval(() => {}, 1000)';

describe('stopChild', () => {
  it('leaves a child that ends on SIGTERM to end by itself', async () => {
    const child = await startChild(LINGER);
    const exited = exitOf(child);
    expect(await stopChild(child, exited, { graceMs: 10_000 })).toEqual({
      code: null,
      signal: 'SIGTERM',
    });
  });

  it('kills a child that ignores the signal once the grace time has passed', async () => {
    const child = await startChild(`process.on('SIGTERM', () => {}); ${LINGER}`);
    const exited = exitOf(child);
    const started = Date.now();
    expect(await stopChild(child, exited, { graceMs: 300 })).toEqual({
      code: null,
      signal: 'SIGKILL',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('sends the signal it is given', async () => {
    const child = await startChild(`process.on('SIGTERM', () => {}); ${LINGER}`);
    const exited = exitOf(child);
    expect(await stopChild(child, exited, { signal: 'SIGINT', graceMs: 10_000 })).toEqual({
      code: null,
      signal: 'SIGINT',
    });
  });

  it('sends nothing to a child that already ended, and tells how it ended', async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
    const exited = exitOf(child);
    await exited;
    const kill = jest.spyOn(child, 'kill');
    expect(await stopChild(child, exited, { graceMs: 10_000 })).toEqual({ code: 3, signal: null });
    expect(kill).not.toHaveBeenCalled();
  });
});
