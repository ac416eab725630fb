import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** The part of axe-core's results the tests read. */
interface AxeResults {
  violations: { id: string; impact?: string | null; nodes: { target: string[] }[] }[];
}

/**
 * Runs axe-core on `page` as it is now and returns its serious and critical violations, one line
 * each with the elements at fault; `[]` when there are none. The page's context needs
 * `bypassCSP: true`: the api's Content-Security-Policy would refuse the injected script.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
    const results = await axe.run();
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  });
}
