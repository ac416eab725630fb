import { JAVASCRIPT, SPLIT_CATEGORIES, SPLIT_LABELS, splitKey } from './profile-split';
import type { Scenario } from './scenario';
import { TARGET_LABELS } from './scale-target';
import type { TargetResult } from './scale-report';

/** `--profile-split`'s table: where each target's CPU went per delivered token, side by side. */
export function renderProfileSplit(scenario: Scenario, results: readonly TargetResult[]): string {
  const cell = (result: TargetResult, key: string) => {
    const value = result.figures[key];
    return typeof value === 'number' ? `${value.toFixed(1)} µs` : '–';
  };
  const row = (label: string, key: string) =>
    `| ${label} | ${results.map((result) => cell(result, key)).join(' | ')} |`;
  return [
    `| ${scenario.name}: busy time per delivered token, profiled | ${results.map((r) => TARGET_LABELS[r.target]).join(' | ')} |`,
    `| --- | ${results.map(() => '---').join(' | ')} |`,
    ...SPLIT_CATEGORIES.filter((category) => JAVASCRIPT.includes(category)).map((category) =>
      row(SPLIT_LABELS[category], splitKey(category)),
    ),
    row('**JavaScript in all**', 'splitJavascript'),
    ...SPLIT_CATEGORIES.filter((category) => !JAVASCRIPT.includes(category)).map((category) =>
      row(SPLIT_LABELS[category], splitKey(category)),
    ),
    row(
      'for comparison: system CPU time (/proc), which the socket writes mostly are',
      'splitKernel',
    ),
  ].join('\n');
}
