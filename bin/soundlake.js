#!/usr/bin/env node
'use strict';
// The AWS SDK warns on every start under Node 20 that releases after January 2027 need Node 22.
// The image runs Node 22; on a laptop with Node 20 the warning is noise, so it is off unless set.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// libuv's thread pool compresses the parts (and does file I/O): one thread per core, not its
// default 4, which on 2 cores preempted the main thread that shapes rows (1M streams: 1.61 s
// against 1.74 s, docs/benchmarks.md). Set before anything uses the pool; UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, require('node:os').availableParallelism()));
// V8's code cache for our modules on disk (Node 22.1+; absent on Node 20, then nothing happens):
// later starts compile nothing, ~30 ms sooner (`--version` 0.16 → 0.13 s on Node 22). The folder is
// NODE_COMPILE_CACHE if set (the image sets one, made at build), else the OS temp folder; it never
// throws, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
require('node:module').enableCompileCache?.();
const cli = require('../dist/src/cli.js');
// A backstop only: every failure path is meant to reach main()'s exit-code mapping. Should one
// escape, it still ends with a redacted one-line message and exit 1, never a raw stack trace.
process.on('unhandledRejection', (error) => {
  process.stderr.write(`soundlake: unexpected failure: ${cli.redactedMessage(error)}\n`);
  process.exit(1);
});
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
