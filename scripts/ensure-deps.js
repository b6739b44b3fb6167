#!/usr/bin/env node
/**
 * Installs npm dependencies when they are missing or older than package-lock.json, so that
 * `npm start` and `npm test` work on a fresh clone with nothing typed before them.
 * Plain Node with no dependencies: it runs before anything is installed.
 */
'use strict';
const { execSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'node_modules', '.fapiao-installed');
const manifests = ['package.json', 'package-lock.json', 'shared/package.json', 'server/package.json', 'server/console/package.json'];

function fingerprint() {
  const hash = crypto.createHash('sha256');
  for (const file of manifests) {
    const full = path.join(root, file);
    if (fs.existsSync(full)) hash.update(file).update(fs.readFileSync(full));
  }
  return hash.digest('hex');
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Fapiao needs Node.js >= 20.19 (this is ${process.versions.node}).`);
  process.exit(1);
}

const wanted = fingerprint();
const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
if (have !== wanted) {
  // `npm install` honours package-lock.json's versions. Not `npm ci`: npm 11 writes lock files
  // without some optional platform packages (@unrs/resolver-binding-*) and then refuses them.
  const command = 'npm install --no-audit --no-fund';
  console.error(`[setup] installing dependencies: ${command}`);
  execSync(command, { cwd: root, stdio: 'inherit' });
  // npm ci rewrites nothing, npm install may rewrite the lock file: fingerprint after.
  fs.writeFileSync(stamp, fingerprint());
}

// The merchant console is served from its build: build it when its sources changed (cached).
require('./build-console.js');
