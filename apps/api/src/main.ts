import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import type { HttpLogger } from 'pino-http';
import { PinoNestLogger } from './common/pino-nest-logger';
import { HTTP_LOGGER } from './common/request-logging.module';
import { shareResponseShape } from './common/shared-response-shape';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { oidcSettingsFrom } from './auth/oidc-settings-from-config';
import { oidcSettingsProblems } from './auth/oidc-settings-problems';
import { ConfigError, loadAppConfig, type AppConfig } from './config/app-config';
import { APP_VERSION } from './config/app-version';
import { useApiPrefix } from './app/api-prefix';
import { corsOptions } from './common/cors-options';
import { redactedUrl } from './shared/redacted-url';
import { useJsonBodyParser } from './common/json-body-parser';
import { serveOpenApi } from './app/openapi';
import { securityHeaders } from './common/security-headers';
import { isApiPath, serveWebApp } from './app/serve-web-app';
import { SHUTDOWN_FLUSH_TIMEOUT_MS } from './streams/stream-starter';
import { connectRedis, type RedisClient } from './redis/redis-client';
import { Database } from './database/database';
import { loadTracing } from './tracing/load-tracing';
import type { Tracing } from './tracing/tracing';

/** Past the drain, what the flush and the closing of connections may take before the process exits. */
const SHUTDOWN_DEADLINE_MARGIN_MS = SHUTDOWN_FLUSH_TIMEOUT_MS + 3_000;

function refuseToStart(problems: string[]): never {
  for (const problem of problems)
    console.error(`tokenstream api: invalid configuration: ${problem}`);
  process.exit(1);
}

function readConfig(): AppConfig {
  let config: AppConfig;
  try {
    // Built, the api sits in dist/apps/api and the web app in dist/apps/web/browser.
    config = loadAppConfig(process.env, { webDistDir: join(__dirname, '..', 'web', 'browser') });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refuseToStart(error.problems);
  }
  // OIDC settings the verifier would refuse (an http issuer off loopback, say) stop the api here.
  if (config.auth.oidc) {
    const problems = oidcSettingsProblems(oidcSettingsFrom(config.auth.oidc));
    if (problems.length > 0) refuseToStart(problems.map((problem) => `OIDC ${problem}`));
  }
  // Read the keys file now, so a bad one stops the api with one line rather than a stack trace.
  if (config.auth.apiKeysFile) {
    try {
      ApiKeyRegistry.fromFile(config.auth.apiKeysFile);
    } catch (error) {
      refuseToStart([`API_KEYS_FILE ${error instanceof Error ? error.message : String(error)}`]);
    }
  }
  return config;
}

/** Tracing as the `OTEL_*` variables ask: the SDK is loaded only when they ask for it. */
async function startTracing(): Promise<Tracing> {
  try {
    return await loadTracing(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refuseToStart(error.problems);
  }
}

/**
 * The last resort on SIGTERM: whatever holds the shutdown up (a hook waiting on a stalled Redis,
 * say), the process exits by the drain time plus {@link SHUTDOWN_DEADLINE_MARGIN_MS}.
 */
function exitByShutdownDeadline(drainMs: number): void {
  process.once('SIGTERM', () => {
    setTimeout(() => {
      console.error('tokenstream api: shutdown took too long: exiting now');
      process.exit(1);
    }, drainMs + SHUTDOWN_DEADLINE_MARGIN_MS).unref();
  });
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  // Shared limits that cannot be shared are a misconfiguration: say so in one line, as above.
  let redis: RedisClient | null = null;
  if (config.redis.url) {
    try {
      redis = await connectRedis(config.redis.url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      refuseToStart([`REDIS_URL: cannot reach ${redactedUrl(config.redis.url)}: ${reason}`]);
    }
  }
  const tracing = await startTracing();
  const appModule = AppModule.forRoot(config, redis, tracing);
  const app = await NestFactory.create<NestExpressApplication>(appModule, {
    bufferLogs: true,
    // JSON only (`useJsonBodyParser`): Nest's default form parser would let any site's page start
    // replies with the user's SSO cookie, as forms are sent cross-site without a CORS preflight.
    bodyParser: false,
    // On shutdown, after the drain, connections still open (readers that never read, idle
    // keep-alive connections) are closed rather than waited for: the process exits in time.
    forceCloseConnections: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  // Each request's span starts ahead of its log line, which names it.
  const logRequest = app.get<HttpLogger>(HTTP_LOGGER);
  shareResponseShape(app.getHttpServer(), tracing.tracingRequests(logRequest, isApiPath));
  const logger = new NestLogger('Bootstrap');
  app.disable('x-powered-by');
  app.use(securityHeaders);
  if (config.server.corsOrigins.length > 0) app.enableCors(corsOptions(config.server.corsOrigins));
  useJsonBodyParser(app);
  // The OpenAI-compatible routes live at `/v1/…`, where OpenAI's SDKs expect them.
  useApiPrefix(app);
  serveOpenApi(app);
  app.enableShutdownHooks();
  exitByShutdownDeadline(config.streams.drainMs);
  const servesWeb = serveWebApp(app, config.server.webDistDir);
  if (config.server.production && config.auth.modes.includes('none')) {
    logger.warn(
      'AUTH_MODE=none in production: anyone who can reach this port can spend the model budget ' +
        'and read any stream. Set AUTH_MODE to oidc, proxy or apikey.',
    );
  }
  // The database is opened and migrated before the api listens: every reply records a usage row
  // in it, and the embedded one's start (seconds of CPU on the event loop) must not stall the
  // replies of a running api. One out of reach (or a migration that fails) stops the boot with one
  // line, as Redis does.
  try {
    await app.get(Database).open();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await app.close().catch(() => undefined);
    const { location } = config.database;
    refuseToStart([
      'url' in location
        ? `DATABASE_URL: cannot open ${redactedUrl(location.url)}: ${reason}`
        : `DATABASE_DIR: cannot open ${location.dir}: ${reason}`,
    ]);
  }
  // Nest's type names a port and a host; it hands every argument on to Node's `server.listen`,
  // whose third is the backlog.
  const listen = app.listen.bind(app) as unknown as (
    port: number,
    host: string,
    backlog: number,
  ) => Promise<unknown>;
  await listen(config.server.port, config.server.host ?? '0.0.0.0', config.server.listenBacklog);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost');
  const where = servesWeb
    ? `tokenstream ${APP_VERSION}: chat and api on ${url}`
    : `tokenstream ${APP_VERSION} api on ${url} (the chat is served by the web dev server in development)`;
  const deployments = config.models.deployments[config.models.defaultModel] ?? [];
  const model =
    config.models.provider === 'demo'
      ? 'the DEMO model; set OPENAI_API_KEY (and OPENAI_BASE_URL), or MODELS_FILE, for a real one'
      : `${config.models.defaultModel} at ${deployments.map((deployment) => deployment.name).join(', ')}`;
  logger.log(
    {
      url,
      version: APP_VERSION,
      provider: config.models.provider,
      defaultModel: config.models.defaultModel,
      models: config.models.models,
      deployments: Object.fromEntries(
        Object.entries(config.models.deployments).map(([name, list]) => [
          name,
          list.map((deployment) => deployment.name),
        ]),
      ),
      webApp: servesWeb ? config.server.webDistDir : null,
      conversations:
        'url' in config.database.location
          ? `PostgreSQL at ${redactedUrl(config.database.location.url)}`
          : `embedded PostgreSQL in ${config.database.location.dir}`,
    },
    `${where}, answering with ${model}`,
  );
}

void bootstrap();
