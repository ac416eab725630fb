import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateEmbeddingsRequest } from './embeddings-request';
import { embeddingsResponse } from './embeddings-response';
import { sendFaultStatus, sendJsonOrFault } from './fault-responses';
import { acceptValidRequest, type InferenceTarget } from './inference-request';
import type { MockState } from './mock-state';

/**
 * Handles POST /v1/embeddings and its Azure path: records the request, then answers deterministic
 * vectors or injects the configured fault. It answers at once: the delay knobs pace chat replies only.
 */
export async function handleEmbeddings(
  req: IncomingMessage,
  res: ServerResponse,
  state: MockState,
  target: InferenceTarget,
): Promise<void> {
  const accepted = await acceptValidRequest(req, res, state, target, validateEmbeddingsRequest);
  if (!accepted) return;
  const { request, requestId, options: current } = accepted;
  // Only a valid request uses up the fault budget, as for chat completions.
  const fault = state.takeFault();
  if (fault === 'status') {
    sendFaultStatus(res, current, requestId);
    return;
  }
  sendJsonOrFault(res, fault, embeddingsResponse(request), requestId);
}
