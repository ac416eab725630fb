import type { ChildProcess } from 'node:child_process';
import type { ProcessExit } from './process-exit';

/** How to stop a child: the polite signal, and how long it may take before it is killed. */
export interface StopOptions {
  /** Sent first; `SIGTERM` unless told. */
  signal?: NodeJS.Signals;
  /** How long the child may take to exit after `signal` before it gets `SIGKILL`. */
  graceMs: number;
}

/**
 * Sends `signal`, then `SIGKILL` if the child lingers past `graceMs`, and resolves with how it
 * ended (`exited` is the child's {@link exitOf}). A child that already ended is left alone.
 * The bound keeps one hung process from holding a whole test file until Jest gives up on it.
 */
export function stopChild(
  child: ChildProcess,
  exited: Promise<ProcessExit>,
  { signal = 'SIGTERM', graceMs }: StopOptions,
): Promise<ProcessExit> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    void exited.then(() => clearTimeout(timer));
  }
  return exited;
}
