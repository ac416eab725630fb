import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { OPENAI_PATH_PREFIX } from '../openai-compat/openai-paths';

/** Paths the api answers itself: the native protocol and the OpenAI-compatible routes. */
const API_PATH_PREFIXES = ['/api', OPENAI_PATH_PREFIX];

/** Whether `path` (a request's URL, its query included or not) is one the api answers itself. */
export function isApiPath(path: string): boolean {
  return API_PATH_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/**
 * Serves the built web app from `dir` on the api's own port (how it is deployed), with unknown
 * non-API paths answered by `index.html` so client-side routes survive a reload.
 * @returns whether a built web app was found there.
 */
export function serveWebApp(app: NestExpressApplication, dir: string | undefined): boolean {
  const index = dir && join(dir, 'index.html');
  if (!dir || !index || !existsSync(index)) return false;
  app.useStaticAssets(dir, { index: false, maxAge: '1h', immutable: false });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const isApi = isApiPath(req.path);
    const isPage = req.method === 'GET' && !isApi && req.accepts('html');
    if (!isPage) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
