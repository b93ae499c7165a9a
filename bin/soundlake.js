#!/usr/bin/env node
'use strict';
// The AWS SDK warns on every start under Node 20 that releases after January 2027 need Node 22.
// The image runs Node 22; on a laptop with Node 20 the warning is noise, so it is off unless set.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
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
