import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import {
  IDEMPOTENCY_KEY_HEADER,
  LAST_EVENT_ID_HEADER,
  REQUEST_ID_HEADER,
} from '@tokenstream/stream-contracts';
import { STREAM_RESPONSE_HEADERS } from './stream-response-headers';

/**
 * CORS for an allow-list of origins: only they get CORS headers, credentials included; any other
 * origin gets none, so its pages cannot read the api's answers.
 */
export function corsOptions(allowed: readonly string[]): CorsOptions {
  return {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.includes(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: [
      'Content-Type',
      'Authorization',
      'X-API-Key',
      LAST_EVENT_ID_HEADER,
      REQUEST_ID_HEADER,
      IDEMPOTENCY_KEY_HEADER,
    ],
    // What a stream's response documents, and the wait a refusal asks for.
    exposedHeaders: [...Object.keys(STREAM_RESPONSE_HEADERS), 'Retry-After'],
    maxAge: 600,
  };
}
