import type { UsageGroupBy, UsageRow } from '@tokenstream/stream-contracts';

/** The figures of a usage row, in the order the CSV's columns give them. */
const FIGURES = ['requests', 'promptTokens', 'completionTokens', 'costUsd'] as const;

/**
 * Usage rows as CSV (RFC 4180): a header naming the same fields as the JSON, a line per row,
 * CRLF line ends, a value quoted when it holds a comma, a quote or a line break. A value that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`.
 */
export function usageCsv(groupBy: UsageGroupBy, rows: readonly UsageRow[]): string {
  const lines = [[groupBy, ...FIGURES].join(',')];
  for (const row of rows) {
    lines.push([cell(row[groupBy] ?? ''), ...FIGURES.map((name) => String(row[name]))].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Characters that make a CSV value need quotes. */
const NEEDS_QUOTES = ['"', ',', '\r', '\n'];

function cell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  if (!NEEDS_QUOTES.some((character) => safe.includes(character))) return safe;
  return `"${safe.replaceAll('"', '""')}"`;
}
