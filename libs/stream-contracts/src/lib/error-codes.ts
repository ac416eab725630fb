/**
 * The stable codes of `error` frames (after the stream opened) and of JSON error bodies (before it).
 * Clients branch on the code, never on the message.
 */
export const ErrorCodes = {
  /** The request body broke the schema or a limit (HTTP 400). */
  invalidRequest: 'invalid_request',
  /** The request named a model this api does not offer (HTTP 400). */
  unknownModel: 'unknown_model',
  /** No valid credentials (HTTP 401): sign in again, or send a valid token or API key. */
  unauthenticated: 'unauthenticated',
  /** The route is for admins (`ADMIN_GROUPS`), and this caller is not one (HTTP 403). */
  forbidden: 'forbidden',
  /** The caller is at or over one of its budgets in money (HTTP 429); it resets with its period. */
  budgetExceeded: 'budget_exceeded',
  /** No such key (HTTP 404). */
  keyNotFound: 'key_not_found',
  /** A key of that name is already in use (HTTP 409). */
  keyNameTaken: 'key_name_taken',
  /** This caller may not use the model it asked for (HTTP 403). */
  modelNotAllowed: 'model_not_allowed',
  /** The `Idempotency-Key` was used before with a different request (HTTP 409). */
  idempotencyConflict: 'idempotency_conflict',
  /**
   * This caller reached one of its limits (HTTP 429): `problems` names it, `Retry-After` says when
   * to try again.
   */
  rateLimited: 'rate_limited',
  /** The upstream could not be reached, or the connection to it broke mid-reply. */
  upstreamUnavailable: 'upstream_unavailable',
  /** The upstream refused the request for its rate or quota limits. */
  upstreamRateLimited: 'upstream_rate_limited',
  /** The upstream refused the api's own credentials: an operator must fix the configuration. */
  upstreamAuthFailed: 'upstream_auth_failed',
  /** The upstream failed in another way (a 5xx, a malformed reply, a refused request). */
  upstreamError: 'upstream_error',
  /** The model provider was too slow: no first token, a long silence, or a reply past the time limit. */
  upstreamTimeout: 'upstream_timeout',
  /** The reply grew past the per-stream size limit and was ended. */
  replyTooLarge: 'reply_too_large',
  /** No such conversation, or no such message in it: never made, someone else's, or deleted (HTTP 404). */
  conversationNotFound: 'conversation_not_found',
  /** No such stream: it never existed, belongs to someone else, or has expired (HTTP 404). */
  streamNotFound: 'stream_not_found',
  /** Every reader left and none came back within the grace period, so the reply was cancelled. */
  streamAbandoned: 'stream_abandoned',
  /**
   * The server generating the reply was lost (killed, or it could no longer store the reply): the
   * text so far stays readable; send the message again for the rest.
   */
  generationLost: 'generation_lost',
  /**
   * The stream store cannot be reached right now (HTTP 503 with `Retry-After`): try again, or
   * resume from the last id, in a moment; the reply itself may still be generating.
   */
  storeUnavailable: 'store_unavailable',
  /**
   * The database that keeps conversations cannot be reached right now (HTTP 503 with
   * `Retry-After`): nothing was kept or started; try again in a moment.
   */
  databaseUnavailable: 'database_unavailable',
  /**
   * The api holds as many replies as its stream store has room for (HTTP 503 with `Retry-After`):
   * try again in a moment, or on another instance.
   */
  serverBusy: 'server_busy',
  /** The api is shutting down; the request can be retried and will reach another instance. */
  serverShuttingDown: 'server_shutting_down',
  /** Something failed inside the api itself. */
  internalError: 'internal_error',
} as const;

/** One of the stable error codes in {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
