import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { OPENAI_PATH_PREFIX } from '../openai-compat/openai-paths';

/** Paths the api answers itself: the native protocol and the OpenAI-compatible routes. */
const API_PATH_PREFIXES = ['/api', OPENAI_PATH_PREFIX];

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
    const isApi = API_PATH_PREFIXES.some((prefix) => req.path.startsWith(prefix));
    const isPage = req.method === 'GET' && !isApi && req.accepts('html');
    if (!isPage) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
