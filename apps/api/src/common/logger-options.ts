import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '@tokenstream/stream-contracts';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/app-config';
import { requestSpan } from '../tracing/request-span';
import { loggedError } from './logged-error';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** A request as pino-http's standard serializer hands it to ours. */
interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Structured JSON logs with a request id: the caller's `X-Request-Id` when it is a sane token
 * (so a proxy's id follows the request through), otherwise a new one, echoed in the response.
 * A request whose URL `isLogged` refuses (the web app's files) gets no line of its own. When
 * `traced`, a request's line names its span (`trace_id`, `span_id`).
 */
export function loggerOptions(
  server: AppConfig['server'],
  isLogged: (url: string) => boolean = () => true,
  traced = false,
): Options {
  return {
    ...(traced ? { customProps: (req: IncomingMessage) => requestSpan(req)?.ids ?? {} } : {}),
    autoLogging: { ignore: (req) => !isLogged(req.url ?? '') },
    // pino-http's lines inside a request carry its id only; the full request is in its last line.
    quietReqLogger: true,
    level: server.logLevel,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers[REQUEST_ID_HEADER.toLowerCase()];
      const id =
        typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    // Credentials never reach the log.
    redact: [
      'req.headers.authorization',
      'req.headers["proxy-authorization"]',
      'req.headers.cookie',
      'req.headers["x-api-key"]',
    ],
    serializers: {
      // One small line per request: who asked for what and how it went. Headers are left out,
      // whatever they carry, and so is the answer's: constant, and most of a line's bytes.
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      // An upstream's error keeps its status and ids, never its body (see `loggedError`).
      err: loggedError,
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  };
}
