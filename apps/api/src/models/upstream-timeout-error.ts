/** Which time limit an upstream broke: no first token, too long a silence, or too long a reply. */
export type UpstreamTimeoutKind = 'first-token' | 'idle' | 'total';

const WHAT_HAPPENED: Readonly<Record<UpstreamTimeoutKind, string>> = {
  'first-token': 'sent no text within the first-token limit',
  idle: 'went silent for longer than the idle limit',
  total: 'did not finish within the total limit',
};

/** The upstream was too slow for one of the `upstream` time limits; its request has been aborted. */
export class UpstreamTimeoutError extends Error {
  constructor(
    readonly kind: UpstreamTimeoutKind,
    readonly limitMs: number,
  ) {
    // For logs only: the user sees the message `toErrorFrame` picks for the kind.
    super(`The upstream ${WHAT_HAPPENED[kind]} of ${limitMs} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}
