#!/usr/bin/env node
'use strict';
/**
 * Adds lock entries for platform-specific optional packages that npm left out.
 *
 * The npm registry mirror reachable here serves only the linux-x64 builds of packages such as
 * @duckdb/node-bindings-*, so `npm install` cannot record the darwin/win32/arm64 variants, and
 * `npm ci` then refuses the lock file ("Missing: … from lock file"). An entry naming the version,
 * os and cpu is all `npm ci` needs to skip a package that does not match the platform (it is never
 * fetched here); on a matching platform npm resolves it from the registry by version.
 *
 * Run after any `npm install`: `npm run lock:complete`. `--check` only reports (exit 1 if incomplete).
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = 'darwin|linux|win32|freebsd|openbsd|netbsd|android|openharmony|sunos|aix';
const CPU = 'x64|arm64|arm|ia32|loong64|ppc64|riscv64|s390x|mips64el|wasm32';
const PLATFORM = new RegExp(`-(?:(${OS})-)?(${CPU})(?:-([a-z0-9]+))?$`);
/** libc from the suffix: musl builds say so; gnu builds are glibc. */
const libcOf = (suffix) => (!suffix ? undefined : suffix.startsWith('musl') ? 'musl' : suffix.startsWith('gnu') ? 'glibc' : undefined);

const added = [];
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = `${location}/node_modules/${name}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const m = PLATFORM.exec(name);
    if (!m) continue;
    const libc = libcOf(m[3]);
    lock.packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(m[1] ? { os: [m[1]] } : {}),
      cpu: [m[2]],
      ...(libc ? { libc: [libc] } : {}),
    };
    added.push(`${name}@${version}`);
  }
}

if (process.argv.includes('--check')) {
  if (added.length > 0) {
    console.error(`package-lock.json lacks ${added.length} platform entries (${added.join(', ')}); run npm run lock:complete`);
    process.exit(1);
  }
  process.exit(0);
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.join(', ')}` : 'package-lock.json already complete');
