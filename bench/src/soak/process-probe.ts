import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { residentMiB } from '../process-memory';

/** One TCP socket as `ss` lists it. */
export interface TcpSocket {
  state: string;
  recvQ: number;
  sendQ: number;
  localPort: number;
  peerPort: number;
}

/** The TCP sockets of 127.0.0.1 with `port` at either end, from `ss -tan` (Linux, iproute2). */
export function tcpSockets(port: number): TcpSocket[] {
  const out = execFileSync('ss', ['-tanH', `( sport = :${port} or dport = :${port} )`], {
    encoding: 'utf8',
    timeout: 5_000,
  });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 5)
    .map(([state, recvQ, sendQ, local, peer]) => ({
      state,
      recvQ: Number(recvQ),
      sendQ: Number(sendQ),
      localPort: Number(local.slice(local.lastIndexOf(':') + 1)),
      peerPort: Number(peer.slice(peer.lastIndexOf(':') + 1)),
    }));
}

/** What a process holds at one moment. */
export interface ProcessProbe {
  rssMiB: number;
  /** Entries of /proc/<pid>/fd: files, sockets, pipes, epoll and timer fds. Crude but real. */
  openFds: number;
  /** The server's side of the TCP connections on its port (LISTEN left out). */
  connections: number;
}

/** Reads a process's RSS and open fds from /proc, and its connections on `port` from `ss`. */
export function probeProcess(pid: number, port: number): ProcessProbe {
  return {
    rssMiB: residentMiB(pid),
    openFds: readdirSync(`/proc/${pid}/fd`).length,
    connections: tcpSockets(port).filter((s) => s.localPort === port && s.state !== 'LISTEN')
      .length,
  };
}

/** The highest of each figure while watched. */
export interface ProbeWatch {
  stop(): ProcessProbe;
}

/**
 * Probes every `intervalMs` (RSS and fds) and every fourth time the connections too (`ss` is a
 * process of its own), keeping the peak of each. A probe of a process that has gone is skipped.
 */
export function watchPeaks(pid: number, port: number, intervalMs = 500): ProbeWatch {
  const peak = probeProcess(pid, port);
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
    try {
      peak.rssMiB = Math.max(peak.rssMiB, residentMiB(pid));
      peak.openFds = Math.max(peak.openFds, readdirSync(`/proc/${pid}/fd`).length);
      if (ticks % 4 === 0) {
        const connections = tcpSockets(port).filter(
          (s) => s.localPort === port && s.state !== 'LISTEN',
        ).length;
        peak.connections = Math.max(peak.connections, connections);
      }
    } catch {
      // The process ended between two probes: its last peak stands.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { ...peak };
    },
  };
}
