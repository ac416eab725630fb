import { readStream, waitForLog } from '@tokenstream/e2e-support';
import { execFileSync } from 'node:child_process';
import { useApiUnderTest } from './support/api-under-test';
import { chat, openStream } from './support/stream-client';

const REPLY = 'Counted: every stream, its first token, its end and its tokens.';
const request = { messages: [{ role: 'user', content: 'Hi' }] };

/** The samples of a Prometheus text exposition, as `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

describe('Prometheus metrics on METRICS_PORT', () => {
  const app = useApiUnderTest({
    upstream: { reply: REPLY, chunks: 8, chunkDelayMs: 5 },
    env: { METRICS_PORT: '0', LIMIT_REQUESTS_PER_MINUTE: '5', UPSTREAM_RETRY_BASE_MS: '10' },
  });
  let metricsUrl: string;

  beforeAll(async () => {
    const line = await waitForLog(app.api, (l) => typeof l['metricsUrl'] === 'string');
    metricsUrl = String(line['metricsUrl']);
  });

  async function scrape(): Promise<Map<string, number>> {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return samples(await response.text());
  }

  it('counts a stream as active while it is generated, and no longer once it ended', async () => {
    app.upstream.configure({ chunkDelayMs: 100 });
    const response = await openStream(app.url, request);
    expect(response.status).toBe(200);
    expect((await scrape()).get('tokenstream_streams_active')).toBe(1);
    await readStream(response);
    expect((await scrape()).get('tokenstream_streams_active')).toBe(0);
  });

  it('counts streams, their outcome, first token, tokens, retries and refusals', async () => {
    app.upstream.configure({ chunkDelayMs: 5 });
    const before = await scrape();
    const model = 'model="gpt-4o-mini"';
    const grew = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);

    // The first upstream request fails with 503 and is retried; four streams, then the limit's 429.
    app.upstream.configure({
      fault: 'status',
      faultStatus: 503,
      faultCount: 1,
      faultRetryAfterSeconds: 0,
    });
    for (let i = 0; i < 4; i++) expect((await chat(app.url, request)).text()).toBe(REPLY);
    const refused = await openStream(app.url, request);
    expect(refused.status).toBe(429);
    await refused.body?.cancel();

    const after = await scrape();
    expect(grew(`tokenstream_streams_started_total{${model},api="native"}`)).toBe(4);
    expect(grew(`tokenstream_streams_ended_total{${model},api="native",outcome="stop"}`)).toBe(4);
    expect(grew(`tokenstream_stream_first_token_seconds_count{${model}}`)).toBe(4);
    expect(grew(`tokenstream_stream_duration_seconds_count{${model}}`)).toBe(4);
    expect(grew(`tokenstream_tokens_total{${model},kind="completion"}`)).toBeGreaterThan(0);
    expect(grew('tokenstream_upstream_retries_total{cause="503"}')).toBe(1);
    expect(grew('tokenstream_requests_rate_limited_total{limit="requestsPerMinute"}')).toBe(1);
    expect(after.get('tokenstream_streams_active')).toBe(0);
    // Five streams in all, each still held for resume.
    expect(after.get('tokenstream_store_streams')).toBe(5);
    expect(after.get('tokenstream_store_bytes')).toBeGreaterThan(REPLY.length * 5);
    // The process's own figures come with them.
    expect(after.has('tokenstream_process_resident_memory_bytes')).toBe(true);
  });

  it('keeps metrics off the public port', async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('tokenstream_streams_started_total');
  });
});

describe('the metrics listener’s address (METRICS_HOST)', () => {
  const app = useApiUnderTest({ env: { HOST: '0.0.0.0', METRICS_PORT: '0' } });

  it('is loopback by default, even when the api itself listens on every address', async () => {
    const line = await waitForLog(app.api, (l) => typeof l['metricsUrl'] === 'string');
    const url = new URL(String(line['metricsUrl']));
    expect(url.hostname).toBe('127.0.0.1');
    expect((await fetch(url)).status).toBe(200);
    // What the kernel says listens on that port: 127.0.0.1 alone, not 0.0.0.0 or [::].
    const listening = execFileSync('ss', ['-Hltn', `sport = :${url.port}`], { encoding: 'utf8' });
    const addresses = listening
      .trim()
      .split('\n')
      .map((row) => row.trim().split(/\s+/)[3]);
    expect(addresses).toEqual([`127.0.0.1:${url.port}`]);
  });
});

describe('without METRICS_PORT', () => {
  const app = useApiUnderTest();

  it('serves no metrics at all', async () => {
    expect(app.api.logs.some((line) => 'metricsUrl' in line)).toBe(false);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
  });
});
