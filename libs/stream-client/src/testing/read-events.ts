/** What a read received, and the error it ended with, if any. */
export interface ReadOutcome<T> {
  items: T[];
  error?: unknown;
}

/**
 * Reads `iterable` to its end or its error, calling `onItem` for each item. Rejects when it takes
 * longer than `timeoutMs`, with what was received so far (the test's signal then ends the read).
 */
export async function read<T>(
  iterable: AsyncIterable<T>,
  { timeoutMs = 800, onItem }: { timeoutMs?: number; onItem?: (item: T) => void } = {},
): Promise<ReadOutcome<T>> {
  const outcome: ReadOutcome<T> = { items: [] };
  const reading = (async () => {
    try {
      for await (const item of iterable) {
        outcome.items.push(item);
        onItem?.(item);
      }
    } catch (error) {
      outcome.error = error;
    }
    return outcome;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`no end after ${timeoutMs} ms; received: ${JSON.stringify(outcome.items)}`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads `iterable` to its end (see {@link read}) and gives its items; rejects with its error. */
export async function collect<T>(
  iterable: AsyncIterable<T>,
  options?: { timeoutMs?: number; onItem?: (item: T) => void },
): Promise<T[]> {
  const { items, error } = await read(iterable, options);
  if (error !== undefined) throw error;
  return items;
}
