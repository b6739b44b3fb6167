#!/usr/bin/env node
/**
 * The installed `fapiao-ops` command (package.json "bin"): runs the TypeScript CLI through tsx,
 * which must be installed beside it (npm ci in a Fapiao checkout, then npm link).
 */
'use strict';
const path = require('node:path');

require('tsx/cjs/api').register();
require(path.join(__dirname, 'cli.ts'));
