import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson, readBody, sendJson } from './http-io';
import { MockOptionsError } from './mock-options';
import type { MockState } from './mock-state';

/** Path prefix of the control endpoints, outside /v1 so no OpenAI client can hit them by accident. */
export const CONTROL_PREFIX = '/__mock/';

// GET /__mock/stats, GET|POST /__mock/config, POST /__mock/reset: how a test or benchmark in another
// process steers a mock started from the command line.
/** Serves the /__mock/ control endpoints; returns false when `path` is not one of them. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: MockState,
): Promise<boolean> {
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /__mock/stats':
      sendJson(res, 200, state.stats.snapshot());
      return true;
    case 'GET /__mock/config':
      sendJson(res, 200, state.options());
      return true;
    case 'POST /__mock/config': {
      const text = await readBody(req);
      // An empty body is a no-op patch, so `curl -X POST .../config` just echoes the options.
      const patch = text.trim() === '' ? {} : parseJson(text);
      if (patch === undefined) {
        sendJson(res, 400, { error: 'body must be a JSON object of options' });
        return true;
      }
      try {
        sendJson(res, 200, state.configure(patch));
      } catch (error) {
        if (!(error instanceof MockOptionsError)) throw error;
        sendJson(res, 400, { error: error.message });
      }
      return true;
    }
    case 'POST /__mock/reset':
      await readBody(req);
      sendJson(res, 200, state.reset());
      return true;
    default:
      return false;
  }
}
