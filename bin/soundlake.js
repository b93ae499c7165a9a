#!/usr/bin/env node
'use strict';
// The AWS SDK warns on every start under Node 20 that releases after January 2027 need Node 22.
// The image runs Node 22; on a laptop with Node 20 the warning is noise, so it is off unless set.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('../dist/src/cli.js').main(process.argv).then((code) => {
  process.exitCode = code;
});
