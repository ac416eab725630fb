/** What one streamed request measured, in milliseconds from when it was sent. */
export interface StreamSample {
  firstByteMs: number;
  firstTextMs: number;
  totalMs: number;
  bytes: number;
}

/** Reads one streamed reply to its end, noting when the first byte and the first text arrived. */
export async function measureStream(
  url: string,
  body: string,
  textMarker: string,
): Promise<StreamSample> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body,
  });
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} from ${url}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let firstByteMs = -1;
  let firstTextMs = -1;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const now = performance.now() - started;
    if (firstByteMs < 0) firstByteMs = now;
    if (firstTextMs < 0 && decoder.decode(value, { stream: true }).includes(textMarker))
      firstTextMs = now;
    bytes += value.byteLength;
  }
  return { firstByteMs, firstTextMs, totalMs: performance.now() - started, bytes };
}

/**
 * Runs `total` streams with at most `concurrency` at once, bounded by `deadlineMs` overall
 * (streams not started by then are skipped, and counted).
 */
export async function runLoad(
  total: number,
  concurrency: number,
  deadlineMs: number,
  once: () => Promise<StreamSample>,
): Promise<{ samples: StreamSample[]; wallMs: number; skipped: number; failed: number }> {
  const samples: StreamSample[] = [];
  const started = performance.now();
  let next = 0;
  let skipped = 0;
  let failed = 0;
  async function worker(): Promise<void> {
    while (next < total) {
      next += 1;
      if (performance.now() - started > deadlineMs) {
        skipped += 1;
        continue;
      }
      try {
        samples.push(await once());
      } catch {
        failed += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { samples, wallMs: performance.now() - started, skipped, failed };
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
