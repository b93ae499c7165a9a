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
] as const;
