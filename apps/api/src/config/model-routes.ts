import type { PrincipalLimits } from '../shared/principal-limits';

/** Where a deployment's requests go, by the kind of upstream it is. */
export type DeploymentTarget =
  | {
      kind: 'openai';
      /** The OpenAI-compatible base URL (ending in `/v1`); OpenAI's own when undefined. */
      baseUrl: string | undefined;
      apiKey: string;
      /** The model name the upstream knows. */
      model: string;
    }
  | {
      kind: 'azure-openai';
      /** `https://<resource>.openai.azure.com` */
      endpoint: string;
      deployment: string;
      apiVersion: string;
      apiKey: string;
    }
  | { kind: 'demo' };

/** One place a model is answered from. */
export type Deployment = DeploymentTarget & {
  /** Unique among all deployments: it names the deployment in logs, metrics and headers. */
  name: string;
  /** Its share of the model's requests, against the other deployments' weights. */
  weight: number;
  /**
   * How long it may take to send some of the reply before the next deployment is tried (within
   * the reply's own first-token limit); unset: the reply's limit alone.
   */
  firstTokenTimeoutMs?: number;
};

/** What a model's tokens cost, in US dollars per million. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** The models callers may ask for, and where each is answered from. */
export interface ModelRoutes {
  /** Every chat model callers may name, in the order they are listed. */
  models: string[];
  /** The models `POST /v1/embeddings` answers with. */
  embeddingModels: string[];
  /** The model a request that names none gets (when the caller may use it). */
  defaultModel: string;
  /** Models only some groups may use: model → the groups allowed. */
  modelGroups: Record<string, string[]>;
  /** Each model's deployments, tried by weight. */
  deployments: Record<string, Deployment[]>;
  /** Each caller's limits on one model, for the models that have their own. */
  modelLimits: Record<string, Partial<PrincipalLimits>>;
  /** Each model's price in US dollars per million tokens, for the models that have one. */
  modelPrices: Record<string, ModelPrice>;
  /** Each model's fallbacks: other models tried, in order, when its deployments all fail. */
  fallbacks: Record<string, string[]>;
  /** How long a deployment that failed (429, 5xx, timeout) is left alone, unless it said how long. */
  cooldownMs: number;
}
