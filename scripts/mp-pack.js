#!/usr/bin/env node
/**
 * Builds miniprogram/miniprogram_npm offline, the way WeChat DevTools' 构建npm would:
 *   - @vant/weapp: a byte-identical copy of node_modules/@vant/weapp/lib (the package's
 *     "miniprogram" field), which is exactly what ci.packNpmManually produces for it;
 *   - @fapiao/shared: the workspace package compiled to ES2017 CommonJS (shared/tsconfig.build.json).
 *     The npm packer does not follow npm-workspace symlinks, so it is copied in here.
 * Then it keeps only what the app reaches (scripts/mp-package.js: the Vant components named in
 * usingComponents, the components, scripts, WXS and styles they pull in, and the shared modules the
 * pages import) and deletes the rest, so the folder holds what WeChat uploads and no more.
 * No network, no DevTools. Run before the Mini Program tests and before opening DevTools.
 * Usage: node scripts/mp-pack.js [--skip-shared-build]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { directoryBytes, reachableFiles } = require('./mp-package');

const root = path.resolve(__dirname, '..');
const npmDir = path.join(root, 'miniprogram', 'miniprogram_npm');

function copyDir(from, to, filter) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(src, dest, filter);
    else if (!filter || filter(src)) fs.copyFileSync(src, dest);
  }
}

function packVant() {
  const vantPkg = require.resolve('@vant/weapp/package.json', { paths: [root] });
  const vantRoot = path.dirname(vantPkg);
  const { miniprogram = 'lib', version } = JSON.parse(fs.readFileSync(vantPkg, 'utf8'));
  const lib = path.join(vantRoot, miniprogram);
  const dest = path.join(npmDir, '@vant', 'weapp');
  fs.rmSync(dest, { recursive: true, force: true });
  copyDir(lib, dest);
  return `@vant/weapp ${version} (${path.relative(root, lib)})`;
}

function packShared(build) {
  const sharedRoot = path.join(root, 'shared');
  if (build) {
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    execFileSync(process.execPath, [tsc, '-p', path.join(sharedRoot, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(sharedRoot, 'package.json'), 'utf8'));
  const dist = path.join(sharedRoot, path.dirname(pkg.main));
  if (!fs.existsSync(path.join(sharedRoot, pkg.main))) throw new Error(`${pkg.main} missing: build shared first`);
  const dest = path.join(npmDir, '@fapiao', 'shared');
  fs.rmSync(dest, { recursive: true, force: true });
  // Runtime JS only: no .d.ts or source maps in the upload.
  copyDir(dist, dest, (file) => file.endsWith('.js'));
  // The Mini Program resolves require('@fapiao/shared') to miniprogram_npm/@fapiao/shared/index.js.
  const entry = path.basename(pkg.main);
  if (entry !== 'index.js') fs.writeFileSync(path.join(dest, 'index.js'), `module.exports = require('./${entry}');\n`);
  return `${pkg.name} ${pkg.version} (${path.relative(root, dist)})`;
}

/** Deletes every file of miniprogram_npm the app does not reach, then the folders left empty. */
function pruneUnreached() {
  const mpRoot = path.join(root, 'miniprogram');
  const before = directoryBytes(npmDir);
  const { files, missing } = reachableFiles(mpRoot);
  if (missing.length) throw new Error(`references that resolve to nothing:\n  ${missing.join('\n  ')}`);
  const keep = new Set(files);
  const prune = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        prune(file);
        if (fs.readdirSync(file).length === 0) fs.rmdirSync(file);
      } else if (!keep.has(file)) fs.rmSync(file);
    }
  };
  prune(npmDir);
  const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;
  return `kept ${kb(directoryBytes(npmDir))} of ${kb(before)} (only what the app reaches)`;
}

try {
  const build = !process.argv.includes('--skip-shared-build');
  const packed = [packVant(), packShared(build)];
  console.log(`miniprogram_npm built: ${packed.join(', ')}; ${pruneUnreached()}`);
} catch (err) {
  console.error(`mp-pack failed: ${err && err.message ? err.message : err}`);
  process.exit(1);
}
