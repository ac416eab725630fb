import { ConfigError } from '../config/app-config';
import { NO_TRACING, type Tracing } from './tracing';
import { tracingSettings } from './tracing-settings';

type Env = Record<string, string | undefined>;

/**
 * The api's tracing as the standard `OTEL_*` variables configure it: OpenTelemetry's SDK, loaded
 * here and only here (a dynamic import), when `OTEL_TRACES_EXPORTER=otlp`; otherwise
 * {@link NO_TRACING}, and no OpenTelemetry package is loaded at all. Throws a `ConfigError` for a
 * value it cannot honour. Run it before the app is made, so the first request is traced.
 */
export async function loadTracing(env: Env = process.env): Promise<Tracing> {
  const { settings, problems } = tracingSettings(env);
  if (problems.length > 0) throw new ConfigError(problems);
  if (settings.exporter === 'none') return NO_TRACING;
  const { OtelTracing } = await import('./otel-tracing');
  return OtelTracing.exporting(settings.protocol);
}
