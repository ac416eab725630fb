import type { Figures, ReportRow } from './scenario';

function value(figures: Figures | undefined, key: string): number {
  const found = figures?.[key];
  return typeof found === 'number' ? found : NaN;
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/** A figure, and beside a target other than the passthrough its ratio to the passthrough's (`3.2×`). */
export function ratioRow(label: string, key: string, digits = 1): ReportRow {
  return {
    label,
    cell(figures, passthrough) {
      const own = value(figures, key);
      const base = value(passthrough, key);
      if (figures === passthrough || !Number.isFinite(base)) return fixed(own, digits);
      return `${fixed(own, digits)} (${fixed(own / base, 1)}×)`;
    },
  };
}

/** A duration, and beside a target other than the passthrough what it adds to the passthrough's. */
export function addedRow(label: string, key: string, digits = 1): ReportRow {
  return {
    label,
    cell(figures, passthrough) {
      const own = value(figures, key);
      const base = value(passthrough, key);
      if (figures === passthrough || !Number.isFinite(base)) return fixed(own, digits);
      const added = own - base;
      return `${fixed(own, digits)} (${added >= 0 ? '+' : '−'}${fixed(Math.abs(added), digits)})`;
    },
  };
}

/** `x / total`, from two figures. */
export function outOfRow(label: string, key: string, totalKey: string): ReportRow {
  return {
    label,
    cell: (figures) => `${fixed(value(figures, key), 0)} / ${fixed(value(figures, totalKey), 0)}`,
  };
}

/** A figure as it is (a number to `digits`, or a text). */
export function plainRow(label: string, key: string, digits = 1): ReportRow {
  return {
    label,
    cell(figures) {
      const found = figures[key];
      return typeof found === 'string' ? found || '–' : fixed(value(figures, key), digits);
    },
  };
}
