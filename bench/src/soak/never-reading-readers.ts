import { connect, type Socket } from 'node:net';
import { ApiPaths } from '@tokenstream/stream-contracts';
import { sleep } from './follow-stream';
import { tcpSockets } from './process-probe';

/** What a group of readers that never read saw, and what they made the api hold. */
export interface HeldReaders {
  readers: number;
  /** Per reader: bytes the kernel held for it (the api's send queue plus the reader's receive queue). */
  queuedBytes: number[];
  /** Readers whose socket the api closed while they held it. */
  closedByServer: number;
  /** Readers that could not connect or write their request. */
  failed: number;
}

/**
 * Opens `count` raw sockets to `GET /api/streams/:id/events` (a replay from the start), writes
 * the request and never reads a byte: the socket stays paused, so the response piles up in the
 * kernel and, past its buffers, in the api, which must wait for `drain` rather than buffer the
 * rest. Holds them `holdMs`, notes what the kernel queued for each, then destroys them.
 */
export async function holdNeverReadingReaders(
  port: number,
  streamId: string,
  count: number,
  holdMs: number,
): Promise<HeldReaders> {
  const held: HeldReaders = { readers: count, queuedBytes: [], closedByServer: 0, failed: 0 };
  const sockets: { socket: Socket; closed: boolean; failed: boolean }[] = [];
  for (let i = 0; i < count; i += 1) {
    const socket = connect({ host: '127.0.0.1', port });
    // Paused before it connects: Node then never starts reading from the kernel.
    socket.pause();
    const entry = { socket, closed: false, failed: false };
    socket.on('error', () => (entry.failed = true));
    socket.on('close', () => (entry.closed = true));
    socket.write(
      `GET ${ApiPaths.streamEvents(streamId)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        'Accept: text/event-stream\r\n\r\n',
    );
    sockets.push(entry);
  }
  await sleep(holdMs);
  let listed: ReturnType<typeof tcpSockets> = [];
  try {
    listed = tcpSockets(port);
  } catch {
    // ss failed (the machine is very busy): the queues stay unknown, the rest still counts.
  }
  for (const { socket, closed, failed } of sockets) {
    if (failed) held.failed += 1;
    else if (closed) held.closedByServer += 1;
    const local = socket.localPort;
    if (local !== undefined && !closed) {
      const mine = listed.find((s) => s.localPort === local && s.peerPort === port);
      const api = listed.find((s) => s.localPort === port && s.peerPort === local);
      if (mine && api) held.queuedBytes.push(mine.recvQ + api.sendQ);
    }
    socket.destroy();
  }
  return held;
}
