/**
 * Calls `task` every `intervalMs` until the function it returns is called: the clock of a periodic
 * job (a sweep, a heartbeat). The timer never holds the process open: a job is no reason to live.
 */
export function repeatEvery(intervalMs: number, task: () => void): () => void {
  const timer = setInterval(task, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
