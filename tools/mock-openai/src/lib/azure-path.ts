import { openAiErrorBody, type OpenAiErrorBody } from './openai-errors';

/** The operations the mock serves on Azure OpenAI's deployment paths, exactly as on /v1. */
export type AzureOperation = 'chat/completions' | 'embeddings';

/** A request path of Azure OpenAI: `/openai/deployments/{deployment}/{operation}?api-version=…`. */
export interface AzurePath {
  /** The deployment name, decoded; on Azure it, not the body's `model`, selects the model. */
  deployment: string;
  operation: AzureOperation;
  /** The `api-version` query parameter; undefined when missing or empty, which Azure answers with a 404. */
  apiVersion: string | undefined;
}

// What the openai SDK's AzureOpenAI client calls (node_modules/openai/azure.js): its baseURL is
// `{endpoint}/openai`, it puts `/deployments/{deployment}` before these operations, and adds
// `api-version` to every query through its defaultQuery.
const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

/** The Azure path `url` names, or undefined when it is not one of the mock's Azure operations. */
export function parseAzurePath(url: URL): AzurePath | undefined {
  const match = AZURE_PATH.exec(url.pathname);
  if (!match) return undefined;
  const [, deployment, operation] = match;
  return {
    deployment: decodeSegment(deployment),
    operation: operation === 'embeddings' ? 'embeddings' : 'chat/completions',
    apiVersion: url.searchParams.get('api-version') || undefined,
  };
}

/** Azure's answer to a deployment path without `api-version`, in OpenAI's error shape (the SDK reads either). */
export function azureResourceNotFound(): OpenAiErrorBody {
  return openAiErrorBody(404, { message: 'Resource not found', code: '404' });
}

/**
 * The body to validate for a request on an Azure path: there the deployment selects the model and
 * the body's `model` is ignored, so a body without one is valid and gets the deployment's name as
 * its model. On /v1 (`deployment` undefined) the body is returned unchanged.
 */
export function withDeploymentModel(
  body: Record<string, unknown>,
  deployment: string | undefined,
): Record<string, unknown> {
  if (deployment === undefined) return body;
  const { model } = body;
  return typeof model === 'string' && model !== '' ? body : { ...body, model: deployment };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed %-escape: the raw segment still identifies the deployment well enough for a mock.
    return segment;
  }
}
