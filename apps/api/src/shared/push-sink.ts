/**
 * Where a pushed sequence goes as it comes: values in order, then exactly one `done` or `fail`.
 * The hot path is built of these rather than async iterators: a value handed to `next` costs a
 * function call, where a `for await` step costs promises and a microtask per value in each layer
 * it crosses (bench/README.md, "Where a token's CPU goes").
 */
export interface PushSink<T> {
  /** The next value; never called after `done` or `fail`. */
  next(value: T): void;
  /** The sequence ended. */
  done(): void;
  /** The sequence failed with `error`; nothing follows. */
  fail(error: unknown): void;
}
