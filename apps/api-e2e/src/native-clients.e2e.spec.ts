import { replyOf } from '@tokenstream/e2e-support';
import {
  ApiPaths,
  STREAM_ID_HEADER,
  isStreamFrame,
  type StreamFrame,
} from '@tokenstream/stream-contracts';
import { EventSource } from 'eventsource';
import { spawn } from 'node:child_process';
import { useApiUnderTest } from './support/api-under-test';
import { chat, openStream } from './support/stream-client';

const hi = { messages: [{ role: 'user', content: 'Hello' }] };

/** Runs a command and resolves with what it printed, bounded in time. */
function run(command: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${command} did not end in ${timeoutMs} ms; printed:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} exited with ${code}; printed:\n${out}`));
    });
  });
}

describe('clients a user already has', () => {
  const app = useApiUnderTest({ env: { DEMO_TOKEN_DELAY_MS: '5' } });

  it('a WHATWG EventSource (the eventsource package) reads the GET route to the end', async () => {
    const reference = await chat(app.url, hi);
    const response = await openStream(app.url, hi);
    const streamId = response.headers.get(STREAM_ID_HEADER)!;
    await response.body?.cancel();
    const frames: { id: string; frame: StreamFrame }[] = [];
    await new Promise<void>((resolve, reject) => {
      const source = new EventSource(new URL(ApiPaths.streamEvents(streamId), app.url).href);
      const timer = setTimeout(() => {
        source.close();
        reject(new Error(`no end after 15 s; ${frames.length} frames`));
      }, 15_000);
      source.onmessage = (event) => {
        const frame: unknown = JSON.parse(event.data);
        if (!isStreamFrame(frame)) return;
        frames.push({ id: event.lastEventId, frame });
        if (frame.type === 'finish' || frame.type === 'error') {
          clearTimeout(timer);
          source.close();
          resolve();
        }
      };
    });
    const text = replyOf(frames).text;
    expect(text).toBe(reference.text());
    expect(frames.map(({ id }) => Number(id))).toEqual(frames.map((_, i) => i + 1));
  });

  it('curl -N reads the POST route as it streams', async () => {
    const out = await run('curl', [
      '-sS',
      '-N',
      '-X',
      'POST',
      new URL(ApiPaths.chatStream, app.url).href,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ ...hi, maxTokens: 5 }),
    ]);
    expect(out).toMatch(/^\n?: keep-alive\n\n/);
    expect(out).toContain('id: 1\ndata: {"type":"start"');
    expect(out).toMatch(/id: 7\ndata: \{"type":"finish","finishReason":"length"/);
  });
});
