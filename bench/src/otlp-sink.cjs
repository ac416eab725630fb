// A stand-in OTLP/HTTP collector for measuring the api with traces on: it takes every
// `POST /v1/traces` (protobuf or JSON), reads it whole, answers 200 with an empty
// ExportTraceServiceResponse, and counts the exports and their bytes; it decodes nothing, so its
// own CPU stays small beside the api's. Plain JavaScript, run with plain `node`:
//   node bench/src/otlp-sink.cjs 4318
// then `--api-env OTEL_TRACES_EXPORTER=otlp --api-env OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`.
// It prints its counts every 10 s while they change, and on SIGTERM or SIGINT.
const { createServer } = require('node:http');

const port = Number(process.argv[2] ?? 4318);
let received = 0;
let bytes = 0;
let printed = -1;
const report = () => {
  if (received === printed) return;
  printed = received;
  console.log(`otlp-sink: ${received} exports, ${bytes} bytes`);
};
const server = createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => (size += chunk.length));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
    received += 1;
    bytes += size;
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
});
server.listen(port, '127.0.0.1', () =>
  console.log(`otlp-sink listening on http://127.0.0.1:${port}`),
);
setInterval(report, 10_000).unref();
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    report();
    server.close();
    process.exit(0);
  });
}
