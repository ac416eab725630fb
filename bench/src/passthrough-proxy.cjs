// The baseline: a plain Node HTTP server that forwards each request to the upstream and pipes the
// answer back untouched. What tokenstream costs is measured against this. Plain JavaScript, run
// with plain `node`, so its memory holds nothing but Node itself and these lines.
//   node bench/src/passthrough-proxy.cjs http://127.0.0.1:4010/v1
const { createServer, request } = require('node:http');

const upstream = new URL(process.argv[2]);
const server = createServer((req, res) => {
  const forwarded = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: `${upstream.pathname.replace(/\/$/, '')}/chat/completions`,
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.on('error', () => res.destroy());
  // A client that leaves closes the response early: stop the upstream request as well.
  res.on('close', () => {
    if (!res.writableFinished) forwarded.destroy();
  });
  req.pipe(forwarded);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
// An orderly exit on SIGTERM, which is what writes a `--cpu-prof` profile (scale.ts --cpu-prof-dir).
process.once('SIGTERM', () => process.exit(0));
