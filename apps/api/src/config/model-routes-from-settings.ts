import type { Settings } from './settings';
import type { Deployment, ModelRoutes } from './model-routes';
import { DEFAULT_COOLDOWN_SECONDS, readModelsFile } from './models-file';
import { list } from './setting-types';

/** Which model provider answers chat requests. */
export type ChatProviderName = 'demo' | 'openai';

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
const DEFAULT_DEMO_MODEL = 'demo';

/** The variables that describe one upstream, which a models file replaces. */
const SHORTHAND_SETTINGS = [
  'CHAT_PROVIDER',
  'CHAT_MODEL',
  'CHAT_MODELS',
  'OPENAI_BASE_URL',
  'MODEL_GROUPS',
  'EMBEDDING_MODELS',
] as const;

const NO_ROUTES: ModelRoutes = {
  models: [],
  embeddingModels: [],
  defaultModel: '',
  modelGroups: {},
  deployments: {},
  fallbacks: {},
  modelLimits: {},
  modelPrices: {},
  cooldownMs: 0,
};

/**
 * The models callers may ask for and where each goes: from `MODELS_FILE` when it is set (its
 * deployments' keys read from `env`), else from the one-upstream variables.
 */
export function modelRoutesFrom(
  settings: Settings,
  env: Record<string, string | undefined>,
  problems: string[],
): ModelRoutes {
  if (!settings.MODELS_FILE) return routesFromVariables(settings, problems);
  for (const name of SHORTHAND_SETTINGS) {
    if (settings[name] !== undefined) {
      problems.push(
        `${name} is set beside MODELS_FILE: the file lists the models and where they go; unset ${name}`,
      );
    }
  }
  const file = readModelsFile(settings.MODELS_FILE, env);
  if (file.ok) return file.routes;
  problems.push(...file.problems);
  return NO_ROUTES;
}

/** `demo` when every deployment is the demo model (the web app labels it), `openai` otherwise. */
export function providerOf(routes: ModelRoutes): ChatProviderName {
  return Object.values(routes.deployments)
    .flat()
    .every((deployment) => deployment.kind === 'demo')
    ? 'demo'
    : 'openai';
}

/**
 * The one-upstream shorthand: `CHAT_MODELS` (or `CHAT_MODEL`) all answered by the upstream at
 * `OPENAI_BASE_URL` with `OPENAI_API_KEY`, or by the demo model when there is no key.
 */
function routesFromVariables(settings: Settings, problems: string[]): ModelRoutes {
  const provider: ChatProviderName =
    settings.CHAT_PROVIDER ?? (settings.OPENAI_API_KEY ? 'openai' : 'demo');
  if (provider === 'openai' && !settings.OPENAI_API_KEY) {
    problems.push(
      'OPENAI_API_KEY is unset: CHAT_PROVIDER=openai needs a key (local servers such as Ollama accept any value)',
    );
  }
  const defaultModel =
    settings.CHAT_MODEL ?? (provider === 'openai' ? DEFAULT_OPENAI_MODEL : DEFAULT_DEMO_MODEL);
  const models = settings.CHAT_MODELS ? list(settings.CHAT_MODELS) : [defaultModel];
  const modelGroups = modelGroupsFrom(settings.MODEL_GROUPS, models, problems);
  if (!models.includes(defaultModel)) {
    problems.push(
      `CHAT_MODELS=${JSON.stringify(settings.CHAT_MODELS)}: must include CHAT_MODEL (${defaultModel})`,
    );
  }
  // Embedding models go to the same upstream; the demo model has none.
  const embeddingModels = provider === 'demo' ? [] : list(settings.EMBEDDING_MODELS);
  if (provider === 'demo' && settings.EMBEDDING_MODELS) {
    problems.push('EMBEDDING_MODELS is set without an upstream: the demo model has no embeddings');
  }
  const baseUrl = settings.OPENAI_BASE_URL;
  const deployment = (model: string): Deployment =>
    provider === 'demo'
      ? { kind: 'demo', name: 'demo', weight: 1 }
      : {
          kind: 'openai',
          name: `${baseUrl ? new URL(baseUrl).host : 'api.openai.com'}/${model}`,
          weight: 1,
          baseUrl,
          apiKey: settings.OPENAI_API_KEY ?? '',
          model,
        };
  const all = [...models, ...embeddingModels];
  return {
    models,
    embeddingModels,
    defaultModel,
    modelGroups,
    deployments: Object.fromEntries(all.map((model) => [model, [deployment(model)]])),
    fallbacks: Object.fromEntries(all.map((model) => [model, []])),
    modelLimits: {},
    modelPrices: {},
    cooldownMs: DEFAULT_COOLDOWN_SECONDS * 1000,
  };
}

/**
 * `MODEL_GROUPS=gpt-4o:admins|power-users,o1:admins`: each listed model is open only to users in one
 * of its groups; models not listed stay open to everyone.
 */
function modelGroupsFrom(
  value: string | undefined,
  models: string[],
  problems: string[],
): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const entry of list(value)) {
    const [model, allowed, extra] = entry.split(':').map((part) => part.trim());
    const names = (allowed ?? '')
      .split('|')
      .map((group) => group.trim())
      .filter(Boolean);
    if (!model || names.length === 0 || extra !== undefined) {
      problems.push(
        `MODEL_GROUPS=${JSON.stringify(value)}: expected model:group|group entries, not "${entry}"`,
      );
    } else if (!models.includes(model)) {
      problems.push(`MODEL_GROUPS=${JSON.stringify(value)}: ${model} is not one of CHAT_MODELS`);
    } else {
      groups[model] = names;
    }
  }
  return groups;
}
