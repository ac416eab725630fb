import OpenAI, { AzureOpenAI } from 'openai';
import type { Deployment } from '../config/model-routes';
import { createUpstreamFetch } from './upstream-fetch';

/** A deployment that calls an OpenAI-compatible upstream (every kind but the demo model). */
export type UpstreamDeployment = Exclude<Deployment, { kind: 'demo' }>;

/**
 * The SDK client a deployment's requests go through. Azure's is the SDK's `AzureOpenAI`, which
 * calls `/openai/deployments/{model}/…?api-version=…` with an `api-key` header: the `model` it is
 * sent is the Azure deployment's name (see {@link upstreamModelName}). The SDK's own retries are
 * off: the api retries and falls back itself, within its time limits.
 */
export function createDeploymentClient(deployment: UpstreamDeployment): OpenAI {
  const options = { apiKey: deployment.apiKey, maxRetries: 0, fetch: createUpstreamFetch() };
  if (deployment.kind === 'azure-openai') {
    return new AzureOpenAI({
      ...options,
      endpoint: deployment.endpoint,
      apiVersion: deployment.apiVersion,
    });
  }
  return new OpenAI({ ...options, baseURL: deployment.baseUrl });
}

/** The model name a deployment's upstream knows: Azure's deployment, or the upstream's model. */
export function upstreamModelName(deployment: UpstreamDeployment): string {
  return deployment.kind === 'azure-openai' ? deployment.deployment : deployment.model;
}
