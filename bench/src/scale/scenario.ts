import type { MockOptions } from '@tokenstream/mock-openai';
import type { MockUpstream } from '../soak/mock-upstream';
import type { ScaleTarget } from './scale-target';

/** A target's figures in one scenario: numbers, or a short text (the failures it saw). */
export type Figures = Record<string, number | string>;

/** One line of a scenario's table: its label, and a target's cell beside the passthrough's. */
export interface ReportRow {
  label: string;
  cell(figures: Figures, passthrough: Figures | undefined): string;
}

/** What a scenario measures with: a target started for it alone, and its own fake upstream. */
export interface ScenarioContext {
  target: ScaleTarget;
  upstream: MockUpstream;
  /** `--ramp-s`, in ms: over how long the scenarios that ramp open their replies, if not their own. */
  rampMs: number | undefined;
}

/** One of the scale benchmark's scenarios (`--scenario <name>`). */
export interface Scenario {
  name: string;
  /** One line above its table: what ran. */
  summary: string;
  /** The fake upstream's options while it is measured (after the warm-up). */
  upstream: Partial<MockOptions>;
  /** The api's settings for it, on top of `API_ENV`. */
  apiEnv?: Record<string, string>;
  /** Replies open at once at most: each costs every process an open file or two. */
  concurrency: number;
  /** True when its figures count the tokens delivered (`tokens`), which `--profile-split` divides by. */
  countsTokens?: boolean;
  /** Measures one warmed-up target. */
  measure(context: ScenarioContext): Promise<Figures>;
  /** Its table's rows, in order. */
  rows: readonly ReportRow[];
}
