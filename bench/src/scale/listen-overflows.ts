import { readFileSync } from 'node:fs';

/**
 * Connections the kernel turned away so far because a listening socket's accept queue was full
 * (`TcpExt: ListenOverflows` of /proc/net/netstat, this network namespace; Linux). A server too
 * busy to accept during a ramp shows here: its clients wait for SYN retries, or are reset.
 */
export function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const names = lines.find((line) => line.startsWith('TcpExt:'))?.split(/\s+/) ?? [];
  const values = lines.filter((line) => line.startsWith('TcpExt:'))[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('ListenOverflows')] ?? NaN);
}
