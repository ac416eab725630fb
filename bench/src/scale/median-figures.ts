import type { Figures } from './scenario';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * One target's figures over several runs: each number the median of its runs, each text (the
 * failures a run saw) its distinct values, joined. This machine's runs differ by up to a third
 * (bench/README.md), so a change is read from medians of interleaved runs, not from one.
 */
export function medianFigures(runs: readonly Figures[]): Figures {
  if (runs.length === 1) return runs[0];
  const keys = [...new Set(runs.flatMap((figures) => Object.keys(figures)))];
  return Object.fromEntries(
    keys.map((key) => {
      const values = runs.map((figures) => figures[key]).filter((value) => value !== undefined);
      if (values.every((value) => typeof value === 'number')) {
        return [key, median(values as number[])];
      }
      return [key, [...new Set(values.map(String))].join(' / ')];
    }),
  );
}
