import type { Figures, ReportRow } from './scenario';

function value(figures: Figures | undefined, key: string): number {
  const found = figures?.[key];
  return typeof found === 'number' ? found : NaN;
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/**
 * A figure, and beside a target other than the passthrough what `compare` says of it against the
 * passthrough's (when the passthrough has one).
 */
function comparedRow(
  label: string,
  key: string,
  digits: number,
  compare: (own: number, base: number) => string,
): ReportRow {
  return {
    label,
    cell(figures, passthrough) {
      const own = value(figures, key);
      const base = value(passthrough, key);
      if (figures === passthrough || !Number.isFinite(base)) return fixed(own, digits);
      return `${fixed(own, digits)} (${compare(own, base)})`;
    },
  };
}

/** A figure, and beside a target other than the passthrough its ratio to the passthrough's (`3.2×`). */
export function ratioRow(label: string, key: string, digits = 1): ReportRow {
  return comparedRow(label, key, digits, (own, base) => `${fixed(own / base, 1)}×`);
}

/** A duration, and beside a target other than the passthrough what it adds to the passthrough's. */
export function addedRow(label: string, key: string, digits = 1): ReportRow {
  return comparedRow(label, key, digits, (own, base) => {
    const added = own - base;
    return `${added >= 0 ? '+' : '−'}${fixed(Math.abs(added), digits)}`;
  });
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
