import { tracingSettings } from './tracing-settings';

describe('tracingSettings', () => {
  it.each([
    [{}, { exporter: 'none' }],
    [{ OTEL_TRACES_EXPORTER: '' }, { exporter: 'none' }],
    [{ OTEL_TRACES_EXPORTER: 'none' }, { exporter: 'none' }],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, { exporter: 'otlp', protocol: 'http/protobuf' }],
    [{ OTEL_TRACES_EXPORTER: ' OTLP ' }, { exporter: 'otlp', protocol: 'http/protobuf' }],
    [
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      { exporter: 'otlp', protocol: 'http/json' },
    ],
    [
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      },
      { exporter: 'otlp', protocol: 'http/json' },
    ],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }, { exporter: 'none' }],
    [{ OTEL_TRACES_EXPORTER: 'otlp,none' }, { exporter: 'none' }],
  ])('reads %j as %j', (env, settings) => {
    expect(tracingSettings(env)).toEqual({ settings, problems: [] });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER="zipkin": expected otlp or none'],
    [
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc": expected http/protobuf or http/json (gRPC is not shipped)',
    ],
  ])('refuses %j in one line', (env, problem) => {
    expect(tracingSettings(env)).toEqual({ settings: { exporter: 'none' }, problems: [problem] });
  });
});
