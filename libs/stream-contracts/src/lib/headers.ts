/** Response header carrying the id of the stream a `POST /api/chat/stream` opened. */
export const STREAM_ID_HEADER = 'X-Stream-Id';

/** Request header a reconnecting client sends with the id of the last frame it received (WHATWG SSE). */
export const LAST_EVENT_ID_HEADER = 'Last-Event-ID';

/**
 * Request header naming one prompt: a `POST` sent again with the same key (a double click, a retry
 * after a connection error) gets the reply the first one started instead of a second generation.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Request and response header correlating one request across the api's logs. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Response header with the api's keep-alive interval in milliseconds: a client that hears nothing,
 * not even a keep-alive, for about twice this long can treat the connection as dead and resume.
 */
export const HEARTBEAT_HEADER = 'X-Stream-Heartbeat-Ms';

/**
 * Response header of `/v1/chat/completions` naming the deployment that answered (see the models
 * file): sent once the upstream has sent some of the reply, so a streamed answer's headers wait
 * for it.
 */
export const DEPLOYMENT_HEADER = 'X-Tokenstream-Deployment';

/** Query parameter that stands in for `Last-Event-ID` where a client cannot set headers. */
export const LAST_EVENT_ID_PARAM = 'lastEventId';

/** The media type of a Server-Sent Events stream. */
export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream';

/** The text of the keep-alive comment line (`: keep-alive`) sent while a stream is quiet. */
export const KEEP_ALIVE_COMMENT = 'keep-alive';

/** Paths of the native protocol's routes, relative to the api's origin. */
export const ApiPaths = {
  chatStream: '/api/chat/stream',
  models: '/api/models',
  /** Readiness with details (`HealthResponse`), kept for the callers that predate the two below. */
  health: '/api/health',
  /** Liveness: the process answers (`LivenessResponse`), also while it drains. */
  healthLive: '/api/health/live',
  /** Readiness: `503` while draining or while a configured Redis or PostgreSQL is out of reach. */
  healthReady: '/api/health/ready',
  me: '/api/me',
  clientConfig: '/api/client-config',
  /** Admins only: `POST` makes a key, `GET` lists them. */
  adminKeys: '/api/admin/keys',
  /** Admins only: `DELETE` revokes a key. */
  adminKey: (id: string) => `/api/admin/keys/${encodeURIComponent(id)}`,
  /** Admins only: usage and cost totals (`?from=&to=&groupBy=`), JSON or CSV. */
  adminUsage: '/api/admin/usage',
  /** The caller's own usage and cost by model (`?from=&to=`). */
  meUsage: '/api/me/usage',
  /** Admins only: every budget with its spend. */
  adminBudgets: '/api/admin/budgets',
  /** Admins only: `PUT` sets a user's or a group's budget, `DELETE` removes it. */
  adminBudget: (kind: 'user' | 'group', id: string) =>
    `/api/admin/budgets/${kind}/${encodeURIComponent(id)}`,
  /** Admins only: the audit trail (`?from=&to=`). */
  adminAudit: '/api/admin/audit',
  /** `GET` replays a stream after `Last-Event-ID` and follows it live; `DELETE` stops it. */
  stream: (streamId: string) => `/api/streams/${encodeURIComponent(streamId)}`,
  streamEvents: (streamId: string) => `/api/streams/${encodeURIComponent(streamId)}/events`,
} as const;
