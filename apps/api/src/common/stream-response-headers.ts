import type { HeadersObject } from '@nestjs/swagger';
import {
  HEARTBEAT_HEADER,
  REQUEST_ID_HEADER,
  STREAM_ID_HEADER,
} from '@tokenstream/stream-contracts';

/**
 * The headers a stream's response carries, as the OpenAPI document describes them: one list, so
 * that each is also one a browser's script may read (CORS `exposedHeaders`).
 */
export const STREAM_RESPONSE_HEADERS = {
  [STREAM_ID_HEADER]: {
    description: "The stream's id, as in the `start` frame.",
    schema: { type: 'string' },
  },
  [HEARTBEAT_HEADER]: {
    description: 'The keep-alive interval in ms.',
    schema: { type: 'integer' },
  },
  [REQUEST_ID_HEADER]: {
    description: "The request's id in the api's logs.",
    schema: { type: 'string' },
  },
} satisfies HeadersObject;
