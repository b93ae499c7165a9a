/**
 * The soak suite (`npm run test:soak`): fault trials that take minutes — runs killed with kill -9 at
 * every named point and at random moments, paused past their lease, run as another user, with a
 * skewed clock. Same setup as jest.config.js; CI runs it after `npm test`.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, roots: ['<rootDir>/tests/soak'], testPathIgnorePatterns: ['/node_modules/'] };
