import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { usd } from './usd';

/** One day's cost, in US dollars. */
export interface DayCost {
  /** The UTC date, `YYYY-MM-DD`. */
  day: string;
  costUsd: number;
}

/** The drawing's own units: each day is a column this wide, the tallest bar this high. */
const COLUMN = 10;
const BAR = 8;
const HEIGHT = 100;

/**
 * A bar chart of cost per day, drawn as SVG, with its text alternative: a summary the image is
 * labelled by, and every day's cost in a table a reader can open.
 */
@Component({
  selector: 'app-cost-chart',
  templateUrl: './cost-chart.html',
  styleUrl: './cost-chart.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CostChart {
  /** Every day of the period, in order, those without usage at 0. */
  readonly days = input.required<readonly DayCost[]>();

  protected readonly usd = usd;
  protected readonly width = computed(() => Math.max(this.days().length, 1) * COLUMN);
  protected readonly height = HEIGHT;
  protected readonly total = computed(() => this.days().reduce((sum, d) => sum + d.costUsd, 0));
  protected readonly peak = computed(() =>
    this.days().reduce<DayCost | undefined>(
      (top, d) => (top && top.costUsd >= d.costUsd ? top : d),
      undefined,
    ),
  );
  protected readonly bars = computed(() => {
    const max = this.peak()?.costUsd ?? 0;
    return this.days()
      .map((d, i) => ({
        ...d,
        x: i * COLUMN + (COLUMN - BAR) / 2,
        height: max > 0 ? (d.costUsd / max) * HEIGHT : 0,
      }))
      .filter((bar) => bar.height > 0);
  });
  protected readonly barWidth = BAR;
}
