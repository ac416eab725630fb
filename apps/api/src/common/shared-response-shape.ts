import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/** What runs on every request before the app's router: the request logger. */
export type BeforeApp = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Runs `before` on every request ahead of the server's own handler (Express), and gives each
 * response, there, every property it would otherwise gain later on its way, so that all
 * responses share one hidden class.
 *
 * Why: Express gives each response the app's prototype (`Object.setPrototypeOf` in
 * `app.handle`), and V8 gives an object that gains a property after such a change a map of its
 * own. Every response of the api had its own map, so the property loads of Node's http code,
 * which runs for every write of every token, were megamorphic: `write_` and the
 * `writableNeedDrain` getter took five times the passthrough's time per write (bench/README.md,
 * "A token pushed, not awaited"). Given here, before Express's prototype change, those
 * properties are only assigned afterwards, which keeps the map.
 */
export function shareResponseShape(server: Server, before: BeforeApp): void {
  const app = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // The request logger's own properties (pino-http's), added first, as for every response.
    before(req, res);
    const shaped = res as ServerResponse & { locals?: unknown };
    // Express's (`if (!res.locals) res.locals = …`) and the status Node sets at the first write.
    shaped.locals = undefined;
    shaped.statusCode = 200;
    shaped.statusMessage = undefined as unknown as string;
    for (const listener of app) listener.call(server, req, res);
  });
}
