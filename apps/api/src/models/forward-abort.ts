/**
 * Makes `target` abort when `source` does, with its reason (at once if it already has); returns
 * what undoes the link, so that a long-lived `source` does not keep a listener per request.
 */
export function forwardAbort(source: AbortSignal, target: AbortController): () => void {
  const abort = () => target.abort(source.reason);
  if (source.aborted) abort();
  else source.addEventListener('abort', abort, { once: true });
  return () => source.removeEventListener('abort', abort);
}
