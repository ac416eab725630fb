import type { IncomingMessage } from 'node:http';
import type { TraceSpan } from './trace-span';

/** Where a request's span is kept on the request (a symbol: nothing else can reach or clash with it). */
const REQUEST_SPAN = Symbol('tokenstream.requestSpan');

type TracedRequest = IncomingMessage & { [REQUEST_SPAN]?: TraceSpan };

/** The span of the request, when it is traced. */
export function requestSpan(req: IncomingMessage): TraceSpan | undefined {
  return (req as TracedRequest)[REQUEST_SPAN];
}

/** Keeps `span` on the request, for {@link requestSpan}. */
export function keepRequestSpan(req: IncomingMessage, span: TraceSpan): void {
  (req as TracedRequest)[REQUEST_SPAN] = span;
}
