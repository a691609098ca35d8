// A Node.js service that calls the next service for every request it serves. It has no Sidetrack
// code and copies no header: started with OpenTelemetry auto-instrumentation
//   OTEL_PROPAGATORS=tracecontext,baggage \
//   node --require @opentelemetry/auto-instrumentations-node/register server.js
// its outgoing call carries the `baggage` of the incoming request, and with it `sidetrack-id`,
// which the next workload's edge agent routes by.
//
// Usage: node server.js --port 3001 --downstream http://127.0.0.1:8088
'use strict';

const http = require('http');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('--port', '3001'));
const downstream = new URL(arg('--downstream', 'http://127.0.0.1:8088'));

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  const call = http.get(new URL(req.url, downstream), (answer) => {
    let body = '';
    answer.setEncoding('utf8');
    answer.on('data', (chunk) => { body += chunk; });
    answer.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`node service called downstream, which answered ${answer.statusCode}: ${body}`);
    });
  });
  call.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`node service could not reach downstream: ${e.message}\n`);
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${port}, calling ${downstream.origin}`);
});

// Stop on SIGTERM, what Kubernetes (and a test) sends first. OpenTelemetry's register hook handles
// SIGTERM itself, to shut its SDK down, so without this the server kept running until SIGKILL.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  // connections kept alive would hold close() open: exit anyway soon after
  setTimeout(() => process.exit(0), 2000).unref();
});
