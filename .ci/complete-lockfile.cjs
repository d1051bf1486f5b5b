#!/usr/bin/env node
/**
 * The npm registry mirror on these machines serves only the Linux builds of packages that ship
 * per-platform binaries (@swc/core-*, @unrs/resolver-binding-*). npm then leaves the other
 * platforms' optional packages out of package-lock.json, and `npm ci` refuses the lock as "out of
 * sync". This adds the missing optional entries with their os/cpu, exactly as npm writes them when
 * it can see the packages, so `npm ci` validates the lock and skips them as foreign platforms.
 * Idempotent; run by .ci/run before `npm ci`.
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

/** os/cpu/libc from a platform package name such as core-linux-arm-gnueabihf or resolver-binding-win32-x64-msvc. */
function platformOf(name) {
  const m = /-(darwin|linux|win32|android|freebsd|openharmony)-(arm64|x64|ia32|arm|ppc64|s390x|riscv64|loong64)(?:-(gnu|musl|gnueabihf|musleabihf|msvc|eabi))?$/.exec(name);
  if (!m) return null;
  const entry = { os: [m[1]], cpu: [m[2]] };
  if (m[3] && /^(gnu|gnueabihf)$/.test(m[3])) entry.libc = ['glibc'];
  if (m[3] && /^(musl|musleabihf)$/.test(m[3])) entry.libc = ['musl'];
  return entry;
}

let added = 0;
for (const [where, meta] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${where ? where + '/' : ''}node_modules/${dep}`;
    if (pkgs[key] || pkgs[nested]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    pkgs[key] = { version: String(range).replace(/^[\^~=]/, ''), ...platform, optional: true };
    added++;
  }
}
if (added) {
  lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
}
process.stdout.write(`package-lock.json: ${added} foreign-platform optional entries added\n`);
