/**
 * Environment variables soundlake reads that are neither settings (SECTION_KEY of
 * config/default.ini) nor secrets (src/core/secrets.ts). Deployment tests check task definitions
 * against these three lists.
 */
export const OTHER_ENV_VARS = [
  'SOUNDLAKE_CONFIG',
  'SPOTIFY_CLIENT_ID',
  'AWS_ACCESS_KEY_ID',
  'DISTROKID_EMAIL',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  // libuv's thread pool (compression, file I/O): bin/soundlake.js sizes it to the cores unless set.
  'UV_THREADPOOL_SIZE',
] as const;
