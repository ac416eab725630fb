import type { ModelPrice } from '../config/model-routes';
import { estimatedTokens } from '../limits/token-estimate';

/** A reply's tokens and what they cost. */
export interface ReplyCost {
  promptTokens: number;
  completionTokens: number;
  /** True when the upstream reported no usage and the tokens are estimated from characters. */
  estimated: boolean;
  costUsd: number;
  /** False when the model has no price: the cost is 0. */
  priced: boolean;
}

/**
 * The tokens of a reply, the upstream's count when it reported one (a finished reply), else an
 * estimate from the characters (a reply stopped, cut or failed), and their cost at `price`.
 */
export function replyCost(
  size: {
    usage?: { promptTokens: number; completionTokens: number } | null;
    promptChars: number;
    completionChars: number;
  },
  price: ModelPrice | undefined,
): ReplyCost {
  const { usage } = size;
  const promptTokens = usage ? usage.promptTokens : estimatedTokens(size.promptChars);
  const completionTokens = usage ? usage.completionTokens : estimatedTokens(size.completionChars);
  const costUsd = price
    ? (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1e6
    : 0;
  return { promptTokens, completionTokens, estimated: !usage, costUsd, priced: Boolean(price) };
}
