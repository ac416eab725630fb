import { RequestMethod } from '@nestjs/common';

/** The OpenAI-compatible routes, at the api's root (outside the global `api` prefix) as OpenAI's SDKs expect. */
export const OpenAiPaths = {
  chatCompletions: 'v1/chat/completions',
  models: 'v1/models',
  embeddings: 'v1/embeddings',
} as const;

/** What every OpenAI-compatible path starts with, for the web app's fallback to leave alone. */
export const OPENAI_PATH_PREFIX = '/v1/';

/**
 * Whether a request's path is on the OpenAI-compatible API, routed or not, so its errors take
 * OpenAI's shape. Case-blind, as Express's routing is: `/V1/models` reaches the same route.
 */
export function isOpenAiPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === OPENAI_PATH_PREFIX.slice(0, -1) || lower.startsWith(OPENAI_PATH_PREFIX);
}

/** The routes to exclude from the global prefix (`app.setGlobalPrefix('api', { exclude })`). */
export const OPENAI_ROUTES = [
  { path: OpenAiPaths.chatCompletions, method: RequestMethod.POST },
  { path: OpenAiPaths.models, method: RequestMethod.GET },
  { path: OpenAiPaths.embeddings, method: RequestMethod.POST },
];
