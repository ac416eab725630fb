import type { ChildProcess } from 'node:child_process';

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Resolves with how `child` ended. Call it right after spawning: a listener added once the
 * process has exited would wait forever.
 */
export function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}
