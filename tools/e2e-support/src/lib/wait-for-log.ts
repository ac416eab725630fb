import type { LogLine } from './api-process';

/** Resolves with the first log line of `api` that `predicate` accepts; fails with the last lines seen. */
export async function waitForLog(
  api: { logs: readonly LogLine[] },
  predicate: (line: LogLine) => boolean,
  timeoutMs = 3_000,
): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = api.logs.find(predicate);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `no such log line; last lines:\n${api.logs
      .slice(-5)
      .map((l) => JSON.stringify(l))
      .join('\n')}`,
  );
}
