// The naive pattern tokenstream replaces: a plain Node HTTP server that, per request, asks the
// upstream through the official `openai` SDK and writes one SSE event per delta, aborting the
// upstream request when the client leaves. Measured beside the passthrough and the api
// (src/scale.ts). Plain JavaScript, run with plain `node`, like the passthrough.
//   node bench/src/sdk-loop-server.cjs http://127.0.0.1:4010/v1
const { createServer } = require('node:http');
const { OpenAI } = require('openai');

const client = new OpenAI({ apiKey: 'sk-bench', baseURL: process.argv[2], maxRetries: 0 });

async function answer(body, res) {
  const controller = new AbortController();
  // A client that leaves closes the response early: stop the upstream request as well.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  try {
    const stream = await client.chat.completions.create(
      {
        model: body.model ?? 'gpt-4o-mini',
        messages: body.messages,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: controller.signal },
    );
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta?.content;
      if (text) res.write(`data: ${JSON.stringify({ text })}\n\n`);
    }
    // openai 6 ends the loop quietly on abort: the client is gone, nothing to end.
    if (!controller.signal.aborted) res.end('data: [DONE]\n\n');
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    // Mid-stream, cutting the connection is how the client learns the reply broke.
    else res.destroy();
  }
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    void answer(body, res);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
// An orderly exit on SIGTERM, which is what writes a `--cpu-prof` profile (scale.ts --cpu-prof-dir).
process.once('SIGTERM', () => process.exit(0));
