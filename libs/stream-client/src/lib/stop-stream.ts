import { ApiPaths } from '@tokenstream/stream-contracts';
import { networkError } from './chat-client-error';
import { apiRequest, fetchWith, type ClientOptions } from './client-options';
import { discardBody, failureOf } from './response-failure';

/**
 * Asks the api to stop generating `streamId` (`DELETE /api/streams/:id`). Resolves once the api
 * accepted it; the stream's readers then get `finish` with `finishReason: "cancelled"`. Rejects
 * with a `ChatClientError` when it did not: `gone` (unknown or expired), `network`, `unauthenticated`.
 */
export async function stopStream(
  streamId: string,
  options: ClientOptions & { signal?: AbortSignal },
): Promise<void> {
  const [url, init] = await apiRequest(options, 'DELETE', ApiPaths.stream(streamId), {
    signal: options.signal,
  });
  let response: Response;
  try {
    response = await fetchWith(options, url, init);
  } catch (error) {
    options.signal?.throwIfAborted();
    throw networkError(error);
  }
  const failure = response.ok ? undefined : await failureOf(response, { resuming: true });
  discardBody(response);
  if (failure) throw failure;
}
