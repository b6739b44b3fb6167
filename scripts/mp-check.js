#!/usr/bin/env node
/**
 * Offline checks of the Mini Program, short of WeChat DevTools:
 *  1. structure: app.json pages exist (.ts/.js, .wxml, .json), every usingComponents entry of
 *     the app and of each page resolves (relative, absolute or via miniprogram_npm) to a component;
 *  2. WXML syntax: every .wxml compiled with WeChat's wcc (miniprogram-compiler wxmlToJs);
 *  3. package size: the main package as WeChat counts it (files reachable from app.json, see
 *     mp-package.js) must stay under WeChat's 2 MB limit;
 *  4. DevTools compile: miniprogram-ci getCompiledResult (TS→ES5, app.json schema, page files,
 *     component resolution), offline thanks to the documented project.attr() override.
 * Run `node scripts/mp-pack.js` first (components resolve into miniprogram_npm).
 * Usage: node scripts/mp-check.js [--skip-ci]
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { mainPackage, packageProblems, resolveComponent } = require('./mp-package');

const root = path.resolve(__dirname, '..');
const projectConfig = JSON.parse(fs.readFileSync(path.join(root, 'project.config.json'), 'utf8'));
const mpRoot = path.join(root, projectConfig.miniprogramRoot || 'miniprogram/');
const problems = [];

const exists = (file) => fs.existsSync(file) && fs.statSync(file).isFile();
const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`${path.relative(root, file)}: ${err.message}`);
    return undefined;
  }
};

function checkComponents(jsonFile, seen) {
  if (seen.has(jsonFile)) return;
  seen.add(jsonFile);
  const json = readJson(jsonFile);
  const using = (json && json.usingComponents) || {};
  for (const [tag, ref] of Object.entries(using)) {
    const found = resolveComponent(mpRoot, jsonFile, ref);
    if (!found.base) problems.push(`${path.relative(root, jsonFile)}: usingComponents "${tag}": "${ref}" not found (tried ${found.tried.map((t) => path.relative(root, t)).join(', ')})`);
    else checkComponents(found.base + '.json', seen);
  }
}

function checkStructure() {
  const appJsonFile = path.join(mpRoot, 'app.json');
  const app = readJson(appJsonFile);
  if (!app) return;
  if (!Array.isArray(app.pages) || app.pages.length === 0) problems.push('app.json: "pages" must list at least one page');
  if (!['.ts', '.js'].some((ext) => exists(path.join(mpRoot, 'app' + ext)))) problems.push('app.ts/app.js missing');
  const seen = new Set();
  checkComponents(appJsonFile, seen);
  for (const page of app.pages || []) {
    const base = path.join(mpRoot, page);
    if (!['.ts', '.js'].some((ext) => exists(base + ext))) problems.push(`app.json page "${page}": no ${page}.ts or .js`);
    if (!exists(base + '.wxml')) problems.push(`app.json page "${page}": no ${page}.wxml`);
    if (exists(base + '.json')) checkComponents(base + '.json', seen);
  }
  if (app.sitemapLocation && !exists(path.join(mpRoot, app.sitemapLocation))) problems.push(`app.json sitemapLocation "${app.sitemapLocation}" missing`);
  if (app.style === 'v2') problems.push('app.json: remove "style": "v2" (Vant Weapp quickstart)');
  return seen.size;
}

function checkWxml() {
  const { wxmlToJs } = require('miniprogram-compiler');
  const list = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '__tests__') continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.wxml')) list.push(path.relative(mpRoot, file).split(path.sep).join('/'));
    }
  };
  walk(mpRoot);
  try {
    wxmlToJs(mpRoot, { wxmlList: list });
  } catch (err) {
    problems.push(`WXML: ${String(err && err.message ? err.message : err).trim()}`);
  }
  return list.length;
}

function checkPackageSize() {
  const pkg = mainPackage(mpRoot);
  problems.push(...packageProblems(pkg));
  return `${(pkg.bytes / 1024).toFixed(1)} KB in ${pkg.files.length} files`;
}

async function checkWithCi() {
  const ci = require('miniprogram-ci');
  const project = new ci.Project({
    appid: projectConfig.appid || 'touristappid',
    type: 'miniProgram',
    projectPath: root,
    privateKey: 'unused-offline',
    ignores: ['node_modules/**/*', 'miniprogram/**/__tests__/**/*'],
  });
  // IProject.attr() normally signs a nonce fetched from servicewechat.com; these defaults are all an
  // offline compile needs (documented: the project object may be implemented by the caller).
  project.attr = async () => ({ ...ci.DefaultProjectAttr });
  const files = await ci.getCompiledResult({ project, setting: { useProjectConfig: true } });
  return Object.keys(files).length;
}

(async () => {
  const components = checkStructure();
  const wxml = checkWxml();
  const size = checkPackageSize();
  let compiled = 'skipped';
  if (!process.argv.includes('--skip-ci') && problems.length === 0) {
    // The one remaining lookup (getwhiteextlist) is non-fatal: make it fail fast, not hang.
    process.env.HTTPS_PROXY = process.env.HTTPS_PROXY || 'http://127.0.0.1:9';
    try {
      compiled = `${await checkWithCi()} files`;
    } catch (err) {
      problems.push(`miniprogram-ci compile: ${err && err.message ? err.message : err}${err && err.code ? ` (code ${err.code})` : ''}`);
    }
  }
  if (problems.length > 0) {
    console.error(`mp-check: ${problems.length} problem(s)`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`mp-check ok: ${components} component/page configs resolved, ${wxml} WXML files compiled, main package ${size} (limit 2 MB), miniprogram-ci compile: ${compiled}`);
  process.exit(0); // miniprogram-ci keeps handles open
})();
