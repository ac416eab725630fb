import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath } from '@tokenstream/stream-contracts';
import { ownLimitsSchema } from '@tokenstream/stream-contracts';
import type { Deployment, ModelRoutes } from './model-routes';
import { upstreamUrl } from './setting-types';

/** How long a failed deployment is left alone when the models file does not say. */
export const DEFAULT_COOLDOWN_SECONDS = 30;

const httpUrl = upstreamUrl('keys belong in apiKeyEnv');
const name = z.string().min(1).max(100).optional();
const weight = z.number().positive().max(1_000_000).default(1);
const firstTokenTimeoutSeconds = z.number().positive().max(3_600).optional();
const apiKeyEnv = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the name of an environment variable' });

const deploymentSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('openai'),
      name,
      baseUrl: httpUrl.optional(),
      apiKeyEnv: apiKeyEnv.optional(),
      model: z.string().min(1).max(200).optional(),
      weight,
      firstTokenTimeoutSeconds,
    }),
    z.strictObject({
      kind: z.literal('azure-openai'),
      name,
      endpoint: httpUrl,
      deployment: z.string().min(1).max(200),
      apiVersion: z.string().min(1).max(50),
      apiKeyEnv,
      weight,
      firstTokenTimeoutSeconds,
    }),
    z.strictObject({ kind: z.literal('demo'), name, weight }),
  ],
  { error: 'expected kind "openai", "azure-openai" or "demo"' },
);

const modelSchema = z.strictObject({
  /** What the model does: chat (the default), or embeddings (`POST /v1/embeddings` only). */
  type: z.enum(['chat', 'embeddings']).default('chat'),
  deployments: z.array(deploymentSchema).min(1),
  fallbacks: z.array(z.string().min(1)).default([]),
  groups: z.array(z.string().min(1)).min(1).optional(),
  /** Each caller's limits on this model, on top of its own on every model; `0`: no limit. */
  limits: ownLimitsSchema.optional(),
  /** What its tokens cost, in US dollars per million: usage rows and budgets count it. */
  price: z
    .strictObject({
      inputPerMillion: z.number().min(0).max(1_000_000),
      outputPerMillion: z.number().min(0).max(1_000_000),
    })
    .optional(),
});

/** The models file (`MODELS_FILE`), JSON or YAML. */
export const modelsFileSchema = z.strictObject({
  defaultModel: z.string().min(1).optional(),
  cooldownSeconds: z.number().min(0).max(86_400).default(DEFAULT_COOLDOWN_SECONDS),
  models: z
    .record(z.string().min(1).max(200), modelSchema)
    .refine((models) => Object.keys(models).length > 0, { error: 'expected at least one model' }),
});

type FileDeployment = z.infer<typeof deploymentSchema>;

/** A name for a deployment the file did not name: where it goes. */
function defaultName(deployment: FileDeployment, model: string): string {
  switch (deployment.kind) {
    case 'openai':
      return `${deployment.baseUrl ? new URL(deployment.baseUrl).host : 'api.openai.com'}/${deployment.model ?? model}`;
    case 'azure-openai':
      return `${new URL(deployment.endpoint).host}/${deployment.deployment}`;
    case 'demo':
      return 'demo';
  }
}

/**
 * Reads the models file at `path` against `env` (where the keys its deployments name are), or
 * the problems found, one line each, each starting with `MODELS_FILE=<path>`.
 */
export function readModelsFile(
  path: string,
  env: Record<string, string | undefined>,
): { ok: true; routes: ModelRoutes } | { ok: false; problems: string[] } {
  const at = `MODELS_FILE=${JSON.stringify(path)}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      problems: [`${at}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`],
    };
  }
  const extension = extname(path).toLowerCase();
  let value: unknown;
  try {
    if (extension === '.json') value = JSON.parse(text);
    else if (extension === '.yaml' || extension === '.yml') value = parseYaml(text);
    else return { ok: false, problems: [`${at}: expected a .json, .yaml or .yml file`] };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ok: false,
      problems: [`${at}: not valid ${extension.slice(1).toUpperCase()}: ${message}`],
    };
  }
  const parsed = modelsFileSchema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `${at}: ${formatPath(issue.path) || '(file)'}: ${issue.message}`,
      ),
    };
  }
  const file = parsed.data;
  const problems: string[] = [];
  const models = Object.keys(file.models);
  const chatModels = models.filter((model) => file.models[model].type === 'chat');
  const deployments: Record<string, Deployment[]> = {};
  const seen = new Set<string>();
  for (const [model, entry] of Object.entries(file.models)) {
    deployments[model] = entry.deployments.map((deployment, index) => {
      const where = `${at}: models.${model}.deployments[${index}]`;
      const deploymentName = deployment.name ?? defaultName(deployment, model);
      // Unnamed, the demo model is `demo` in every model that has it: it never fails, so no
      // cooldown can mix them up, and the metrics tell them apart by model.
      const shared = deployment.kind === 'demo' && deployment.name === undefined;
      if (!shared && seen.has(deploymentName)) {
        problems.push(
          `${where}: the name ${deploymentName} is taken; give each deployment its own name`,
        );
      }
      seen.add(deploymentName);
      const key = (variable: string | undefined): string => {
        if (variable === undefined) return 'none'; // a local server (vLLM, Ollama) needs none
        const value = env[variable];
        if (!value) problems.push(`${where}.apiKeyEnv: ${variable} is not set`);
        return value ?? '';
      };
      if (entry.type === 'embeddings' && deployment.kind === 'demo') {
        problems.push(`${where}: the demo model has no embeddings`);
      }
      const limit =
        'firstTokenTimeoutSeconds' in deployment ? deployment.firstTokenTimeoutSeconds : undefined;
      const common = {
        name: deploymentName,
        weight: deployment.weight,
        ...(limit === undefined ? {} : { firstTokenTimeoutMs: limit * 1000 }),
      };
      switch (deployment.kind) {
        case 'openai':
          return {
            ...common,
            kind: 'openai',
            baseUrl: deployment.baseUrl,
            apiKey: key(deployment.apiKeyEnv),
            model: deployment.model ?? model,
          };
        case 'azure-openai':
          return {
            ...common,
            kind: 'azure-openai',
            endpoint: deployment.endpoint,
            deployment: deployment.deployment,
            apiVersion: deployment.apiVersion,
            apiKey: key(deployment.apiKeyEnv),
          };
        case 'demo':
          return { ...common, kind: 'demo' };
      }
    });
    for (const fallback of entry.fallbacks) {
      if (fallback === model)
        problems.push(`${at}: models.${model}.fallbacks: ${model} cannot fall back to itself`);
      else if (!models.includes(fallback)) {
        problems.push(
          `${at}: models.${model}.fallbacks: ${fallback} is not one of the file's models`,
        );
      }
    }
  }
  const defaultModel = file.defaultModel ?? chatModels[0];
  if (chatModels.length === 0) problems.push(`${at}: models: expected at least one chat model`);
  else if (!chatModels.includes(defaultModel)) {
    problems.push(`${at}: defaultModel: ${defaultModel} is not one of the file's chat models`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    routes: {
      models: chatModels,
      embeddingModels: models.filter((model) => file.models[model].type === 'embeddings'),
      defaultModel,
      modelGroups: Object.fromEntries(
        Object.entries(file.models).flatMap(([model, entry]) =>
          entry.groups ? [[model, entry.groups]] : [],
        ),
      ),
      deployments,
      fallbacks: Object.fromEntries(
        Object.entries(file.models).map(([model, entry]) => [model, entry.fallbacks]),
      ),
      modelLimits: Object.fromEntries(
        Object.entries(file.models).flatMap(([model, entry]) =>
          entry.limits ? [[model, entry.limits]] : [],
        ),
      ),
      modelPrices: Object.fromEntries(
        Object.entries(file.models).flatMap(([model, entry]) =>
          entry.price ? [[model, entry.price]] : [],
        ),
      ),
      cooldownMs: file.cooldownSeconds * 1000,
    },
  };
}
