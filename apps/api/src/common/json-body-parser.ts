import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { RequestBodyError } from './request-body-error';

/** Requests carry a conversation; 1 MB holds the largest one the request schema allows. */
export const JSON_BODY_LIMIT_MB = 1;

/**
 * Parses JSON bodies up to {@link JSON_BODY_LIMIT_MB}, and passes what body-parser refuses on as a
 * {@link RequestBodyError}. Left alone, its JSON syntax errors reach Nest as a `SyntaxError`, which
 * Nest turns into a bare `400 Bad Request` (`RoutesResolver.mapExternalException`) that no longer
 * says it was the body, so the exception filter could not answer it in the route's error shape.
 */
export function useJsonBodyParser(app: NestExpressApplication): void {
  app.useBodyParser('json', { limit: `${JSON_BODY_LIMIT_MB}mb` });
  // An Express error handler (four parameters): it sees only errors of the layers before it.
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    next(RequestBodyError.from(error) ?? error);
  });
}
