import type { StoreUsage } from '../shared/store-usage';
import { MemoryDeploymentCooldowns } from '../models/deployment-cooldowns';
import { ApiMetrics, type EndedStream } from './api-metrics';

const finished: EndedStream = {
  ttftMs: 120,
  durationMs: 2_500,
  finishReason: 'stop',
  errorCode: null,
  usage: { promptTokens: 7, completionTokens: 30 },
};

async function exposition(metrics: ApiMetrics): Promise<string> {
  return metrics.registry.metrics();
}

describe('ApiMetrics', () => {
  it('counts a stream from start to end, with its outcome, timings and tokens', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    metrics.streamStarted('m', 'native');
    expect(await exposition(metrics)).toContain('tokenstream_streams_active 1');
    metrics.streamEnded('m', 'native', finished);
    const text = await exposition(metrics);
    expect(text).toContain('tokenstream_streams_active 0');
    expect(text).toContain('tokenstream_streams_started_total{model="m",api="native"} 1');
    expect(text).toContain(
      'tokenstream_streams_ended_total{model="m",api="native",outcome="stop"} 1',
    );
    expect(text).toContain('tokenstream_stream_first_token_seconds_bucket{le="0.25",model="m"} 1');
    expect(text).toContain('tokenstream_stream_first_token_seconds_bucket{le="0.1",model="m"} 0');
    expect(text).toContain('tokenstream_stream_duration_seconds_sum{model="m"} 2.5');
    expect(text).toContain('tokenstream_tokens_total{model="m",kind="prompt"} 7');
    expect(text).toContain('tokenstream_tokens_total{model="m",kind="completion"} 30');
  });

  it('labels a failed stream with its error code, and observes no first token it never had', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    metrics.streamStarted('m', 'native');
    metrics.streamEnded('m', 'native', {
      ...finished,
      ttftMs: null,
      finishReason: null,
      errorCode: 'upstream_timeout',
      usage: null,
    });
    const text = await exposition(metrics);
    expect(text).toContain(
      'tokenstream_streams_ended_total{model="m",api="native",outcome="upstream_timeout"} 1',
    );
    expect(text).not.toContain('tokenstream_stream_first_token_seconds_count{model="m"}');
    expect(text).not.toContain('tokenstream_tokens_total{');
  });

  it('keeps the store gauges as they were, and the scrape working, while the store cannot answer', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    let usage: () => Promise<StoreUsage> = async () => ({
      streams: 3,
      bytes: 300,
      reservedBytes: 900,
      maxBytes: 1_000,
    });
    let reads = 0;
    metrics.watchStore(() => {
      reads += 1;
      return usage();
    });
    expect(await exposition(metrics)).toContain('tokenstream_store_bytes 300');
    expect(reads).toBe(1); // once for the four gauges
    usage = () => Promise.reject(new Error('Redis did not answer within 1000 ms'));
    const text = await exposition(metrics);
    expect(text).toContain('tokenstream_store_bytes 300');
    expect(text).toContain('tokenstream_store_streams 3');
  });

  it('shows how long each deployment is left alone, and keeps it while the cooldowns cannot answer', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    const cooldowns = new MemoryDeploymentCooldowns();
    let reachable = true;
    metrics.watchCooldowns(['east', 'west'], (deployments) =>
      reachable ? cooldowns.cooling(deployments) : Promise.reject(new Error('Redis is down')),
    );
    expect(await exposition(metrics)).toContain(
      'tokenstream_deployment_cooldown_seconds{deployment="east"} 0',
    );

    await cooldowns.coolDown('east', 30_000);
    const cooling = await exposition(metrics);
    const seconds = Number(/cooldown_seconds\{deployment="east"\} ([\d.]+)/.exec(cooling)?.[1]);
    expect(seconds).toBeGreaterThan(29);
    expect(seconds).toBeLessThanOrEqual(30);
    expect(cooling).toContain('tokenstream_deployment_cooldown_seconds{deployment="west"} 0');

    reachable = false;
    expect(await exposition(metrics)).toMatch(/cooldown_seconds\{deployment="east"\} (29|30)/);
  });

  it('reads the store at each scrape', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    let usage = { streams: 1, bytes: 100, reservedBytes: 600, maxBytes: 1_000 };
    metrics.watchStore(async () => usage);
    expect(await exposition(metrics)).toContain('tokenstream_store_bytes 100');
    usage = { streams: 2, bytes: 250, reservedBytes: 900, maxBytes: 1_000 };
    const text = await exposition(metrics);
    expect(text).toContain('tokenstream_store_streams 2');
    expect(text).toContain('tokenstream_store_bytes 250');
    expect(text).toContain('tokenstream_store_reserved_bytes 900');
    expect(text).toContain('tokenstream_store_max_bytes 1000');
  });

  it('shows spend against budget per owner kind, for an alert at 80 %', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    metrics.watchBudgets(async () => [
      { kind: 'user', id: 'proxy:alice', usd: 10, period: 'month', spentUsd: 9 },
      { kind: 'user', id: 'proxy:bob', usd: 10, period: 'month', spentUsd: 2 },
      { kind: 'group', id: 'ml', usd: 100, period: 'day', spentUsd: 120 },
    ]);
    const text = await exposition(metrics);
    expect(text).toContain('tokenstream_budget_spend_ratio_max{kind="user"} 0.9');
    expect(text).toContain('tokenstream_budget_spend_ratio_max{kind="group"} 1.2');
    expect(text).toContain('tokenstream_budget_spend_ratio_max{kind="key"} 0');
    expect(text).toContain('tokenstream_budgets_at_80_percent{kind="user"} 1');
    expect(text).toContain('tokenstream_budgets_at_80_percent{kind="group"} 1');
    // No owner's id is a label: the series stay three per metric however many budgets there are.
    expect(text).not.toContain('alice');
  });

  it('counts refusals by limit and retries by cause', async () => {
    const metrics = new ApiMetrics({ defaultMetrics: false });
    metrics.rateLimited('tokensPerDay');
    metrics.upstreamRetried(429);
    metrics.upstreamRetried('connection-failed');
    const text = await exposition(metrics);
    expect(text).toContain('tokenstream_requests_rate_limited_total{limit="tokensPerDay"} 1');
    expect(text).toContain('tokenstream_upstream_retries_total{cause="429"} 1');
    expect(text).toContain('tokenstream_upstream_retries_total{cause="connection-failed"} 1');
  });

  it('keeps each instance’s counts apart', async () => {
    const one = new ApiMetrics({ defaultMetrics: false });
    const other = new ApiMetrics({ defaultMetrics: false });
    one.streamStarted('m', 'native');
    expect(await exposition(other)).not.toContain('tokenstream_streams_started_total{model="m"');
  });
});
