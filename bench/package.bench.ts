import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { directoryBytes, mainPackage } from '../scripts/mp-package';
import type { BenchResult } from './lib/report';

const KB = 1024;

/**
 * The Mini Program's main package as WeChat counts it (scripts/mp-package.js: what is reachable
 * from app.json, as an upload with ignoreUploadUnusedFiles sends it), built first as `npm run mp:build` builds it.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- the benchmarks' common signature; this one only reads files
export async function packageBench(): Promise<BenchResult> {
  const started = performance.now();
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'mp-pack.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const mpRoot = path.join(root, 'miniprogram');
  const pkg = mainPackage(mpRoot);
  const npmFiles = pkg.files.filter((f) => f.file.startsWith('miniprogram_npm'));
  const vant = npmFiles.filter((f) => f.file.includes('@vant')).reduce((sum, f) => sum + f.bytes, 0);
  const sum = (files: typeof pkg.files) => files.reduce((total, f) => total + f.bytes, 0);
  const onDisk = directoryBytes(path.join(mpRoot, 'miniprogram_npm'));
  return {
    name: 'package',
    title: "The Mini Program's main package, as WeChat counts it",
    figures: [
      { name: 'main package', value: pkg.bytes / KB, unit: `KB in ${pkg.files.length} files` },
      { name: '  our pages, services and app files (TypeScript as compiled)', value: sum(pkg.files.filter((f) => !f.file.startsWith('miniprogram_npm'))) / KB, unit: 'KB' },
      { name: '  Vant components used and their dependencies', value: vant / KB, unit: 'KB' },
      { name: '  @fapiao/shared', value: (sum(npmFiles) - vant) / KB, unit: 'KB' },
      { name: 'miniprogram_npm on disk after the build', value: onDisk / KB, unit: 'KB' },
      { name: 'references to missing files', value: pkg.missing.length, unit: '' },
    ],
    ratios: [{ name: "main package / WeChat's 2 MB limit", value: pkg.bytes / pkg.limitBytes, meaning: 'mp:check fails above 1' }],
    rss: undefined,
    notes: ['built by scripts/mp-pack.js (npm run mp:build), which keeps in miniprogram_npm only what the app reaches; TypeScript counted as the JavaScript it compiles to'],
    seconds: (performance.now() - started) / 1000,
  };
}
