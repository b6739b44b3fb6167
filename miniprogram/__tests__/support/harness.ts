/**
 * Test harness for the Mini Program: miniprogram-simulate (untyped here, so a narrow typed
 * wrapper), a Page() shim, the app shell loaded as WeChat would, and a `wx` whose request and
 * downloadFile go to a real server over Node's http module (jsdom has no Node fetch).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../../server/test/support/eventually';

export interface SimNode {
  dom: HTMLElement;
  data: Record<string, unknown>;
  instance: Record<string, unknown>;
  querySelector(selector: string): SimNode | undefined;
  querySelectorAll(selector: string): SimNode[];
  dispatchEvent(name: string, opts?: { detail?: unknown }): void;
  attach(parent: Element): void;
  detach(): void;
}

interface Simulate {
  load(componentPath: string, options?: { rootPath?: string; usingComponents?: Record<string, string> }): string;
  render(id: string, props?: Record<string, unknown>): SimNode;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate') as Simulate;

/*
 * simulate registers a component by require()-ing its JS, which calls the global Component(),
 * then deletes require.cache to run it afresh next time. Under jest that deletion does nothing
 * (jest keeps its own registry), so a Vant component loaded a second time (by the next page)
 * would never call Component() and come out without methods: its taps reached nothing. Run
 * Vant's component JS in an isolated registry so every load really executes it; the app's own
 * pages keep the shared registry (their services must be the ones the test configures).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulateUtils = require('miniprogram-simulate/src/utils') as { runJs: (file: string) => void };
const runJsOnce = simulateUtils.runJs;
simulateUtils.runJs = (file: string) => {
  if (!file.includes(`${path.sep}miniprogram_npm${path.sep}`)) return runJsOnce(file);
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  });
};

/*
 * simulate registers WeChat's built-in tags as bare placeholders that drop their attributes. Give
 * <web-view> its `src` property, as WeChat's has, so a test can see which page it shows.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jComponent = require('j-component') as { register(definition: Record<string, unknown>): string };
jComponent.register({ id: 'web-view', tagName: 'wx-web-view', template: '<slot/>', properties: { src: { type: String, value: '' } } });

export const MP_ROOT = path.resolve(__dirname, '../..');

type Fn = (...args: never[]) => unknown;
type Options = Record<string, unknown>;

/** simulate defines Component() but not Page(): register a page as a component whose methods are its functions. */
function installPageShim(): void {
  (globalThis as Record<string, unknown>).Page = (options: Options) => {
    const { data, ...rest } = options;
    const methods: Record<string, Fn> = {};
    for (const key of Object.keys(rest)) if (typeof rest[key] === 'function') methods[key] = rest[key] as Fn;
    (globalThis as unknown as { Component(o: Options): void }).Component({ data, methods });
  };
}

const vantNames = fs.readdirSync(path.join(MP_ROOT, 'miniprogram_npm/@vant/weapp'));
/** simulate does not resolve npm component paths: map each "@vant/weapp/x/index" to miniprogram_npm. */
const VANT: Record<string, string> = {};
for (const name of vantNames) VANT[`@vant/weapp/${name}/index`] = `/miniprogram_npm/@vant/weapp/${name}/index`;

function usingComponentsOf(page: string): Record<string, string> {
  const json = JSON.parse(fs.readFileSync(path.join(MP_ROOT, `pages/${page}/index.json`), 'utf8')) as { usingComponents?: Record<string, string> };
  const map: Record<string, string> = {};
  for (const [tag, ref] of Object.entries(json.usingComponents ?? {})) map[tag] = VANT[ref] ?? ref;
  return map;
}

// --- wx --------------------------------------------------------------------------------------

export interface RequestRecord {
  method: string;
  url: string;
  status: number;
  requestBody?: unknown;
  body?: unknown;
}

export interface FakeWx {
  storage: Map<string, unknown>;
  requests: RequestRecord[];
  loginCodes: string[];
  /** Who wx.login logs in: codes are "<user>.<n>" (sandbox logins); '' gives opaque codes, as DevTools and WeChat do. */
  user: string;
  navigateTo: jest.Mock;
  redirectTo: jest.Mock;
  navigateBack: jest.Mock;
  navigateToMiniProgram: jest.Mock;
  chooseInvoiceTitle: jest.Mock;
  openDocument: jest.Mock;
  canIUse: jest.Mock;
}

let loginSeq = 0;

export function httpRequest(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<{ status: number; buffer: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, buffer: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** A wx over simulate's stubs: request/downloadFile over real HTTP, storage in memory, navigation recorded. */
export function installWx(user: string): FakeWx {
  const wxObj = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
  const fake: FakeWx = {
    storage: new Map(),
    requests: [],
    loginCodes: [],
    user,
    navigateTo: jest.fn((o: { success?: () => void }) => o.success?.()),
    redirectTo: jest.fn((o: { success?: () => void }) => o.success?.()),
    navigateBack: jest.fn(),
    navigateToMiniProgram: jest.fn((o: { success?: () => void }) => o.success?.()),
    chooseInvoiceTitle: jest.fn(),
    openDocument: jest.fn((o: { success?: () => void }) => o.success?.()),
    canIUse: jest.fn(() => true),
  };
  Object.assign(wxObj, {
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop', version: '' } }),
    getStorageSync: (key: string) => (fake.storage.has(key) ? fake.storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => void fake.storage.set(key, JSON.parse(JSON.stringify(value)) as unknown),
    removeStorageSync: (key: string) => void fake.storage.delete(key),
    login: (o: { success?: (r: { code: string; errMsg: string }) => void }) => {
      loginSeq += 1;
      const code = fake.user ? `${fake.user}.${loginSeq}` : crypto.randomBytes(16).toString('hex');
      fake.loginCodes.push(code);
      setTimeout(() => o.success?.({ code, errMsg: 'login:ok' }), 0);
    },
    request: (o: {
      url: string;
      method?: string;
      header?: Record<string, string>;
      data?: unknown;
      timeout?: number;
      success?: (r: { statusCode: number; data: unknown; header: Record<string, string>; errMsg: string }) => void;
      fail?: (e: { errMsg: string }) => void;
    }) => {
      const method = o.method ?? 'GET';
      const body = o.data === undefined || method === 'GET' ? undefined : JSON.stringify(o.data);
      httpRequest(o.url, method, o.header ?? {}, body, o.timeout ?? 60_000).then(
        ({ status, buffer }) => {
          const text = buffer.toString('utf8');
          let data: unknown = text;
          try {
            data = text ? (JSON.parse(text) as unknown) : '';
          } catch {
            // wx.request leaves a non-JSON body as text
          }
          fake.requests.push({ method, url: o.url, status, requestBody: body === undefined ? undefined : (JSON.parse(body) as unknown), body: data });
          o.success?.({ statusCode: status, data, header: {}, errMsg: 'request:ok' });
        },
        (err: Error) => {
          fake.requests.push({ method, url: o.url, status: 0 });
          o.fail?.({ errMsg: `request:fail ${err.message}` });
        },
      );
    },
    downloadFile: (o: { url: string; success?: (r: { statusCode: number; tempFilePath: string }) => void; fail?: (e: { errMsg: string }) => void }) => {
      httpRequest(o.url, 'GET', {}, undefined, 30_000).then(
        ({ status, buffer }) => {
          const file = path.join(os.tmpdir(), `fapiao-mp-${process.pid}-${Date.now()}.pdf`);
          fs.writeFileSync(file, buffer);
          o.success?.({ statusCode: status, tempFilePath: file });
        },
        (err: Error) => o.fail?.({ errMsg: `downloadFile:fail ${err.message}` }),
      );
    },
    canIUse: fake.canIUse,
    stopPullDownRefresh: () => undefined,
    showToast: () => undefined,
    navigateTo: fake.navigateTo,
    redirectTo: fake.redirectTo,
    navigateBack: fake.navigateBack,
    navigateToMiniProgram: fake.navigateToMiniProgram,
    chooseInvoiceTitle: fake.chooseInvoiceTitle,
    openDocument: fake.openDocument,
  });
  return fake;
}

// --- app and pages ---------------------------------------------------------------------------

export type AppInstance = IAppOption & {
  onLaunch(): void;
  onShow(options: Partial<WechatMiniprogram.App.LaunchShowOption>): void;
};

/** Loads app.ts as WeChat would (App() registration), and makes getApp() return it. */
export function loadApp(): AppInstance {
  let app: AppInstance | undefined;
  const g = globalThis as Record<string, unknown>;
  g.App = (options: AppInstance) => {
    app = options;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../app');
  if (!app) throw new Error('app.ts did not call App()');
  const registered = app;
  g.getApp = () => registered;
  g.getCurrentPages = () => [];
  return registered;
}

export interface PageHandle {
  root: SimNode;
  data: Record<string, unknown>;
  call(method: string, ...args: unknown[]): unknown;
  /** The component with this id (a Vant component or a view). */
  find(selector: string): SimNode | undefined;
  text(selector: string): string;
  /** Taps a Vant button/cell (its inner tappable node) or a view. */
  tap(selector: string): void;
  close(): void;
}

installPageShim();

/** Renders a real page with its real Vant components and calls onLoad(query). */
const pageIds = new Map<string, string>();

export function openPage(page: string, query: Record<string, string> = {}): PageHandle {
  // A page module registers itself once (require caches it): load once, render many times.
  const id = pageIds.get(page) ?? simulate.load(path.join(MP_ROOT, `pages/${page}/index`), { rootPath: MP_ROOT, usingComponents: usingComponentsOf(page) });
  pageIds.set(page, id);
  const root = simulate.render(id);
  root.attach(document.createElement('parent-wrapper'));
  const handle: PageHandle = {
    root,
    get data() {
      return root.data;
    },
    call(method, ...args) {
      const fn = root.instance[method] as (...a: unknown[]) => unknown;
      return fn.apply(root.instance, args);
    },
    find: (selector) => root.querySelector(selector),
    text(selector) {
      const node = root.querySelector(selector);
      return node ? (node.dom.textContent ?? '').replace(/\s+/g, ' ').trim() : '';
    },
    tap(selector) {
      const node = root.querySelector(selector);
      if (!node) throw new Error(`no ${selector} on pages/${page}`);
      // A Vant component: tap its own tappable node, as a finger would; a native view: tap it.
      const isVant = node.dom.tagName.toLowerCase().startsWith('van-');
      const inner = isVant ? (node.querySelector('.van-button') ?? node.querySelector('.van-radio__icon-wrap') ?? node) : node;
      inner.dispatchEvent('tap');
    },
    close() {
      const unload = root.instance.onUnload as (() => void) | undefined;
      unload?.call(root.instance);
      root.detach();
    },
  };
  handle.call('onLoad', query);
  return handle;
}

/** Types into a van-field: the input event on its native <input>, as a keyboard would. */
/**
 * Types into a van-field. Vant emits its change event on a later tick, so this waits a moment,
 * as a user's next tap would come after it.
 */
export async function typeInto(page: PageHandle, fieldSelector: string, value: string): Promise<void> {
  const field = page.find(fieldSelector);
  // van-field holds an <input> and a <textarea> variant: type into whichever is there.
  const controls = field?.querySelectorAll('.van-field__control') ?? [];
  if (!controls.length) throw new Error(`no input in ${fieldSelector}`);
  for (const control of controls) control.dispatchEvent('input', { detail: { value } });
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** The page and query of a recorded wx.navigateTo({url}). */
export function parseUrl(url: string): { page: string; query: Record<string, string> } {
  const [pathPart = '', queryPart = ''] = url.split('?');
  const m = /^\/pages\/([^/]+)\/index$/.exec(pathPart);
  if (!m?.[1]) throw new Error(`not a page url: ${url}`);
  const query: Record<string, string> = {};
  for (const pair of queryPart.split('&').filter(Boolean)) {
    const [k = '', v = ''] = pair.split('=');
    query[k] = v; // WeChat hands the query over still encoded, as here
  }
  return { page: m[1], query };
}

/** The last wx.navigateTo url. */
export function lastNavigation(fake: FakeWx): { page: string; query: Record<string, string> } {
  const calls = fake.navigateTo.mock.calls as [{ url: string }][];
  const last = calls[calls.length - 1];
  if (!last) throw new Error('no wx.navigateTo call');
  return parseUrl(last[0].url);
}

/** Taps, then waits for the wx.navigateTo it causes; returns where it goes. */
export async function tapToNavigate(fake: FakeWx, page: PageHandle, selector: string): Promise<{ page: string; query: Record<string, string> }> {
  const before = fake.navigateTo.mock.calls.length;
  page.tap(selector);
  await eventually(() => fake.navigateTo.mock.calls.length > before, `wx.navigateTo after tapping ${selector}`);
  return lastNavigation(fake);
}

