// Preloaded into the api under soak (NODE_OPTIONS=--require): on SIGWINCH it runs two full
// garbage collections and prints one JSON line with the process's memory, which the soak reads
// from the api's stdout like its other log lines. Memory is then measured after a GC, at the
// baseline and after the load alike, so garbage nobody collected yet (an idle process collects
// nothing) is not taken for a leak. SIGWINCH, because Nest's enableShutdownHooks() shuts the api
// down on SIGUSR2 (and SIGHUP, SIGQUIT…), SIGUSR1 belongs to the inspector, and SIGWINCH is
// ignored by default.
'use strict';
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

process.on('SIGWINCH', () => {
  gc();
  gc();
  // Give V8's concurrent sweepers a moment to hand the pages back before reading the RSS.
  setTimeout(() => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    process.stdout.write(
      `${JSON.stringify({ msg: 'soak-gc', rss, heapUsed, heapTotal, external, arrayBuffers, at: Date.now() })}\n`,
    );
  }, 500);
});
