#!/usr/bin/env node
/**
 * Builds the merchant console (server/console, React + Ant Design) with Vite into
 * server/console/dist, which the server serves at /console. Run by scripts/ensure-deps.js, so
 * `npm start`, `npm test` and `npm run build` build it on a fresh clone; skipped when nothing it
 * is built from changed since the last build (a fingerprint in dist/.build-fingerprint).
 * `--force` builds anyway.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const consoleDir = path.join(root, 'server', 'console');
const dist = path.join(consoleDir, 'dist');
const stamp = path.join(dist, '.build-fingerprint');
/** Everything the bundle is made of: its sources, what they import from the repository, the tools. */
const inputs = ['server/console/src', 'server/console/index.html', 'server/console/vite.config.mjs', 'server/console/package.json', 'package-lock.json', 'shared/src', 'scripts/ops/orders-file.ts', 'scripts/ops/import-outcome.ts', 'scripts/ops/errors.ts', 'scripts/ops/exit-codes.ts', 'scripts/ops/time.ts'];

function filesOf(entry) {
  const full = path.join(root, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [entry];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => filesOf(path.join(entry, d.name)))
    .filter((f) => !/\.test\.tsx?$/.test(f));
}

function fingerprint() {
  const hash = crypto.createHash('sha256');
  for (const file of inputs.flatMap(filesOf)) hash.update(file).update(fs.readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

const wanted = fingerprint();
const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
if (have === wanted && !process.argv.includes('--force') && fs.existsSync(path.join(dist, 'index.html'))) process.exit(0);

console.error('[setup] building the merchant console (server/console → server/console/dist)');
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
execFileSync(process.execPath, [vite, 'build', '--config', path.join(consoleDir, 'vite.config.mjs')], { cwd: root, stdio: 'inherit' });
fs.writeFileSync(stamp, wanted);
