import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mainPackage, packageProblems, reachableFiles } from './mp-package';

const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Writes a small Mini Program: file name → content. */
function miniProgram(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-package-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const component = (name: string, extra: Record<string, string> = {}) => ({
  [`miniprogram_npm/ui/${name}/index.js`]: "require('../common/component');",
  [`miniprogram_npm/ui/${name}/index.json`]: '{"component": true}',
  [`miniprogram_npm/ui/${name}/index.wxml`]: '<view/>',
  [`miniprogram_npm/ui/${name}/index.wxss`]: "@import '../common/index.wxss';",
  ...extra,
});

const APP = {
  'app.json': JSON.stringify({ pages: ['pages/home/index'], sitemapLocation: 'sitemap.json' }),
  'app.ts': "import { hello } from './utils/hello';\nimport type { Unused } from './utils/types-only';\nhello();",
  'app.wxss': 'page {}',
  'sitemap.json': '{}',
  'utils/hello.ts': "export const hello = (): string => 'hi';",
  'utils/types-only.ts': 'export interface Unused { a: string }',
  'utils/unused.ts': 'export const never = 1;',
  'pages/home/index.ts': "import { hello } from '../../utils/hello';\nPage({ data: { text: hello() } });",
  'pages/home/index.json': JSON.stringify({ usingComponents: { 'ui-button': 'ui/button/index' } }),
  'pages/home/index.wxml': '<ui-button/>',
  'miniprogram_npm/ui/common/component.js': "module.exports = require('./utils');",
  'miniprogram_npm/ui/common/utils.js': 'module.exports = {};',
  'miniprogram_npm/ui/common/index.wxss': '.x{}',
  ...component('button', {
    'miniprogram_npm/ui/button/index.json': JSON.stringify({ component: true, usingComponents: { 'ui-icon': '../icon/index' } }),
    'miniprogram_npm/ui/button/index.wxml': '<wxs src="../wxs/utils.wxs" module="u"/><ui-icon/>',
  }),
  'miniprogram_npm/ui/wxs/utils.wxs': "var bem = require('./bem.wxs'); module.exports = bem;",
  'miniprogram_npm/ui/wxs/bem.wxs': 'module.exports = {};',
  'miniprogram_npm/ui/wxs/unused.wxs': 'module.exports = {};',
  ...component('icon'),
  ...component('calendar'),
};

describe('the main package as WeChat counts it', () => {
  it('holds exactly what app.json, the pages and usingComponents reach, through scripts, WXS and styles', () => {
    const root = miniProgram(APP);
    const { files, missing } = reachableFiles(root);
    expect(missing).toEqual([]);
    expect(files.map((f) => path.relative(root, f)).sort()).toEqual(
      [
        'app.json',
        'app.ts',
        'app.wxss',
        'sitemap.json',
        'utils/hello.ts',
        'pages/home/index.ts',
        'pages/home/index.json',
        'pages/home/index.wxml',
        'miniprogram_npm/ui/button/index.js',
        'miniprogram_npm/ui/button/index.json',
        'miniprogram_npm/ui/button/index.wxml',
        'miniprogram_npm/ui/button/index.wxss',
        'miniprogram_npm/ui/icon/index.js',
        'miniprogram_npm/ui/icon/index.json',
        'miniprogram_npm/ui/icon/index.wxml',
        'miniprogram_npm/ui/icon/index.wxss',
        'miniprogram_npm/ui/common/component.js',
        'miniprogram_npm/ui/common/utils.js',
        'miniprogram_npm/ui/common/index.wxss',
        'miniprogram_npm/ui/wxs/utils.wxs',
        'miniprogram_npm/ui/wxs/bem.wxs',
      ].sort(),
    );
  });

  it('names a reference to a file that is not there', () => {
    const root = miniProgram({ ...APP, 'pages/home/index.json': JSON.stringify({ usingComponents: { gone: 'ui/gone/index' } }) });
    expect(reachableFiles(root).missing).toEqual(['pages/home/index.json: ui/gone/index']);
  });

  it("is refused above WeChat's 2 MB, counting only reachable files", () => {
    const big = 'x'.repeat(2.1 * 1024 * 1024);
    // Unreached, a big file costs nothing.
    const unreached = mainPackage(miniProgram({ ...APP, 'miniprogram_npm/ui/calendar/index.wxss': big }));
    expect(packageProblems(unreached)).toEqual([]);
    const reached = mainPackage(miniProgram({ ...APP, 'miniprogram_npm/ui/icon/index.wxss': big }));
    expect(reached.bytes).toBeGreaterThan(reached.limitBytes);
    expect(packageProblems(reached)).toEqual([expect.stringMatching(/^main package is \d+ KB, over WeChat's 2048 KB limit \(largest: miniprogram_npm\/ui\/icon\/index.wxss/)]);
  });
});
