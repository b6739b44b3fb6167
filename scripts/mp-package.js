/**
 * Which files of the Mini Program WeChat uploads in its main package, and how big they are.
 *
 * With "ignoreUploadUnusedFiles" (project.config.json), DevTools uploads only what is reachable:
 * app.json and the app's own files, each page listed in app.json, each component named in a
 * usingComponents (recursively), and whatever those files pull in: JS require()/import, WXML
 * <wxs>/<import>/<include>, WXSS @import, WXS require(). This module follows the same edges.
 * WeChat limits the main package to 2 MB (developers.weixin.qq.com/miniprogram/dev/framework/subpackages.html).
 *
 * TypeScript counts as the JavaScript it compiles to (ts.transpileModule with the Mini Program's
 * tsconfig), which is what DevTools uploads for it.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { Buffer } = require('buffer');

/** WeChat refuses to upload a main package larger than this. */
const MAIN_PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024;

const isFile = (file) => fs.existsSync(file) && fs.statSync(file).isFile();

/** A component is its .json and .wxml with a .js or .ts; its .wxss is optional. */
function componentFiles(base) {
  const script = ['.js', '.ts'].map((ext) => base + ext).find(isFile);
  if (!script || !isFile(base + '.json') || !isFile(base + '.wxml')) return undefined;
  return [script, base + '.json', base + '.wxml', base + '.wxss'].filter(isFile);
}

/** Where WeChat looks for a usingComponents path, in its order: absolute, relative, then miniprogram_npm up the tree. */
function resolveComponent(root, fromFile, ref) {
  const mpRoot = path.resolve(root);
  const candidates = [];
  if (ref.startsWith('/')) candidates.push(path.join(mpRoot, ref));
  else {
    candidates.push(path.resolve(path.dirname(fromFile), ref));
    for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
      candidates.push(path.join(dir, 'miniprogram_npm', ref));
      if (path.relative(mpRoot, dir) === '' || !dir.startsWith(mpRoot)) break;
    }
  }
  const tried = [];
  for (const base of candidates) {
    tried.push(base);
    for (const candidate of [base, path.join(base, 'index')]) {
      const files = componentFiles(candidate);
      if (files) return { base: candidate, files };
    }
  }
  return { tried };
}

/** A script's require/import target: relative, absolute from the root, or a package in miniprogram_npm. */
function resolveScript(mpRoot, fromFile, ref) {
  const bases = [];
  if (ref.startsWith('.')) bases.push(path.resolve(path.dirname(fromFile), ref));
  else if (ref.startsWith('/')) bases.push(path.join(mpRoot, ref));
  else {
    for (let dir = path.dirname(fromFile); dir === mpRoot || dir.startsWith(mpRoot + path.sep); dir = path.dirname(dir)) bases.push(path.join(dir, 'miniprogram_npm', ref));
  }
  for (const base of bases) {
    for (const candidate of [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), path.join(base, 'index.js')]) if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function matches(text, pattern) {
  return [...text.matchAll(pattern)].map((m) => m[1]);
}

/** Files one file pulls in, with any reference that resolves to nothing. */
function edgesOf(mpRoot, file) {
  const text = fs.readFileSync(file, 'utf8');
  const ext = path.extname(file);
  const out = [];
  const missing = [];
  const relative = (ref) => (ref.startsWith('/') ? path.join(mpRoot, ref) : path.resolve(path.dirname(file), ref));
  const add = (target, ref) => (target && isFile(target) ? out.push(target) : missing.push(ref));
  if (ext === '.json') {
    const json = JSON.parse(text);
    for (const ref of Object.values(json.usingComponents || {})) {
      // plugin:// components and generics live outside the package.
      if (/^plugin(-private)?:\/\//.test(ref)) continue;
      const found = resolveComponent(mpRoot, file, ref);
      if (found.files) out.push(...found.files);
      else missing.push(ref);
    }
  } else if (ext === '.wxml') {
    for (const ref of matches(text, /<(?:wxs|import|include)\b[^>]*?\bsrc\s*=\s*["']([^"'{}]+)["']/g)) {
      const target = relative(ref);
      add(isFile(target) ? target : `${target}.wxml`, ref);
    }
  } else if (ext === '.wxss') {
    for (const ref of matches(text, /@import\s+(?:url\()?\s*["']([^"']+)["']/g)) add(relative(ref), ref);
  } else if (ext === '.wxs') {
    for (const ref of matches(text, /\brequire\(\s*["']([^"']+)["']\s*\)/g)) add(relative(ref), ref);
  } else if (ext === '.js' || ext === '.ts') {
    const refs = matches(text, /\brequire\(\s*["']([^"']+)["']\s*\)/g);
    // Type-only imports and exports compile to nothing.
    if (ext === '.ts') refs.push(...matches(text, /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\bfrom\s*)?["']([^"']+)["']/gm));
    for (const ref of refs) add(resolveScript(mpRoot, file, ref), ref);
  }
  return { out, missing };
}

/**
 * Every file reachable from app.json. `entries` start the walk (default: the app's own files and
 * pages); `missing` lists references that resolve to nothing ("file: ref").
 */
function reachableFiles(root, entries) {
  const mpRoot = path.resolve(root);
  entries = entries || appEntries(mpRoot);
  const seen = new Set();
  const missing = [];
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const edges = edgesOf(mpRoot, file);
    for (const ref of edges.missing) missing.push(`${path.relative(mpRoot, file)}: ${ref}`);
    queue.push(...edges.out);
  }
  return { files: [...seen].sort(), missing };
}

/** app.json, the app's script and style, the sitemap, and every page's files. */
function appEntries(mpRoot) {
  const appJson = path.join(mpRoot, 'app.json');
  const app = JSON.parse(fs.readFileSync(appJson, 'utf8'));
  const entries = [appJson, ...['app.ts', 'app.js', 'app.wxss'].map((f) => path.join(mpRoot, f)).filter(isFile)];
  if (app.sitemapLocation) entries.push(path.join(mpRoot, app.sitemapLocation));
  for (const page of app.pages || []) {
    const base = path.join(mpRoot, page);
    entries.push(...['.ts', '.js', '.json', '.wxml', '.wxss'].map((ext) => base + ext).filter(isFile));
  }
  return entries.filter(isFile);
}

/** Bytes a file adds to the upload: TypeScript as the JavaScript it compiles to. */
function uploadedBytes(file, compilerOptions) {
  if (!file.endsWith('.ts')) return fs.statSync(file).size;
  const ts = require('typescript');
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions, fileName: file }).outputText;
  return Buffer.byteLength(js);
}

/** The main package as WeChat counts it: files, total bytes, and the share of the 2 MB limit. */
function mainPackage(root) {
  const mpRoot = path.resolve(root);
  const ts = require('typescript');
  const tsconfig = ts.getParsedCommandLineOfConfigFile(path.join(mpRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const compilerOptions = { ...(tsconfig ? tsconfig.options : {}), module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: false, declaration: false };
  const { files, missing } = reachableFiles(mpRoot);
  const sized = files.map((file) => ({ file: path.relative(mpRoot, file), bytes: uploadedBytes(file, compilerOptions) }));
  const bytes = sized.reduce((sum, f) => sum + f.bytes, 0);
  return { files: sized, bytes, missing, limitBytes: MAIN_PACKAGE_LIMIT_BYTES };
}

/** What makes a package unfit to upload: references to nothing, or more than WeChat's limit. */
function packageProblems(pkg) {
  const problems = pkg.missing.map((ref) => `main package: reference to a missing file: ${ref}`);
  if (pkg.bytes > pkg.limitBytes) {
    const largest = [...pkg.files].sort((a, b) => b.bytes - a.bytes).slice(0, 5).map((f) => `${f.file} ${(f.bytes / 1024).toFixed(1)} KB`);
    problems.push(`main package is ${(pkg.bytes / 1024).toFixed(0)} KB, over WeChat's ${pkg.limitBytes / 1024} KB limit (largest: ${largest.join(', ')})`);
  }
  return problems;
}

/** Total size of a directory's files on disk (what the build copied). */
function directoryBytes(dir) {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(file) : fs.statSync(file).size;
  }
  return total;
}

module.exports = { MAIN_PACKAGE_LIMIT_BYTES, mainPackage, packageProblems, reachableFiles, resolveComponent, directoryBytes };
