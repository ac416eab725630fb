import {
  ApiPaths,
  EVENT_STREAM_CONTENT_TYPE,
  LAST_EVENT_ID_HEADER,
} from '@tokenstream/stream-contracts';

/** How to ask for a stream's events. */
export interface StreamEventsRequest {
  /** Sent as `Last-Event-ID`: the frames after it (all of them without it). */
  lastEventId?: string;
  /** Sent besides (a credential, say). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `GET /api/streams/:id/events` of the api at `apiUrl`, answered as it came. */
export function fetchStreamEvents(
  apiUrl: string,
  streamId: string,
  { lastEventId, headers = {}, signal }: StreamEventsRequest = {},
): Promise<Response> {
  return fetch(new URL(ApiPaths.streamEvents(streamId), apiUrl), {
    headers: {
      accept: EVENT_STREAM_CONTENT_TYPE,
      ...(lastEventId === undefined ? {} : { [LAST_EVENT_ID_HEADER]: lastEventId }),
      ...headers,
    },
    signal,
  });
}
