import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import {
  HEARTBEAT_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  LAST_EVENT_ID_HEADER,
  REQUEST_ID_HEADER,
  STREAM_ID_HEADER,
} from '@tokenstream/stream-contracts';

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
    exposedHeaders: [STREAM_ID_HEADER, HEARTBEAT_HEADER, REQUEST_ID_HEADER, 'Retry-After'],
    maxAge: 600,
  };
}
