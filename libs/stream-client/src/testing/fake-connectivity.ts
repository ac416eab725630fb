import type { ConnectivitySource } from '../lib/connectivity';

/** A stand-in for a browser's `window`: `navigator.onLine`, and `online`/`offline` events. */
export class FakeConnectivity extends EventTarget implements ConnectivitySource {
  readonly navigator = { onLine: true };

  /** Goes offline or back online, as a browser reports it. */
  set(onLine: boolean): void {
    this.navigator.onLine = onLine;
    this.dispatchEvent(new Event(onLine ? 'online' : 'offline'));
  }
}
