type Env = Record<string, string | undefined>;

/** How spans are sent: OTLP over HTTP, as protobuf or as JSON (the two the api ships exporters for). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** What the standard `OTEL_*` variables ask of the api: no traces, or OTLP export. */
export type TracingSettings = { exporter: 'none' } | { exporter: 'otlp'; protocol: OtlpProtocol };

const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'] satisfies OtlpProtocol[];

/** An empty variable counts as unset, as for the api's own settings. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Reads the variables that decide whether the SDK is loaded at all, and with which exporter; a
 * value the api cannot honour is a problem (one line each), so a misconfiguration stops the boot
 * instead of dropping every span. Everything else (`OTEL_EXPORTER_OTLP_ENDPOINT`, headers,
 * timeouts, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, the sampler, `OTEL_BSP_*`) is the
 * SDK's to read. Unlike the specification's default (`otlp`), an unset `OTEL_TRACES_EXPORTER`
 * means no traces: the api exports only where it is told to.
 */
export function tracingSettings(env: Env): { settings: TracingSettings; problems: string[] } {
  const none = { settings: { exporter: 'none' as const }, problems: [] };
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return none;
  const exporters = (read(env, 'OTEL_TRACES_EXPORTER') ?? 'none')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = exporters.filter((name) => name !== 'otlp' && name !== 'none');
  if (unknown.length > 0) {
    return {
      ...none,
      problems: [
        `OTEL_TRACES_EXPORTER="${read(env, 'OTEL_TRACES_EXPORTER')}": expected otlp or none`,
      ],
    };
  }
  if (!exporters.includes('otlp') || exporters.includes('none')) return none;
  const name = read(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = read(env, name) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol)) {
    return {
      ...none,
      problems: [
        `${name}="${protocol}": expected http/protobuf or http/json (gRPC is not shipped)`,
      ],
    };
  }
  return { settings: { exporter: 'otlp', protocol: protocol as OtlpProtocol }, problems: [] };
}
