import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { unionidFor } from '../sandbox';
import { TEST_ENV } from './support/app';
import { OA, OPEN_PLATFORM } from './support/channels';
import { openChromiumContext } from './support/chromium';
import { eventually } from './support/eventually';
import { openidFor, orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';

/**
 * The Official Account's H5 pages in a real browser (Debian's Chromium, headless, playwright-core)
 * at a phone's viewport, against the real server and the sandbox: WeChat web authorization, my
 * orders, the order, 申请开票 with a title the shared tax-number check refuses and then accepts,
 * WeChat's authorization page, back through redirect_url, the status moving to 已开票 by itself,
 * and the invoice with its PDF. Every step is saved as a screenshot under .data/screenshots/h5/
 * (git-ignored). Without Chromium this file fails (jest.config.js leaves it out only outside CI).
 */

const SCREENSHOTS = path.resolve(__dirname, '..', '..', '.data', 'screenshots', 'h5');
/** WeChat's in-app browser says so in its user agent. */
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

describe('H5 pages of the Official Account in Chromium', () => {
  let env: LifecycleEnv;
  let browser: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    env = await startLifecycleEnv({ accounts: [OA] });
    browser = await openChromiumContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, userAgent: WECHAT_UA, locale: 'zh-CN' }, 15_000);
    page = await browser.newPage();
    page.on('console', (message) => {
      // A refused form answers 400 by design; Chromium logs that status as an error.
      if (message.type() === 'error' && !/status of 400 \(Bad Request\)$/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  const shot = async (name: string) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  it('walks web authorization → my orders → order → 申请开票 → WeChat’s page → back → 已开票 → the PDF', async () => {
    // alice bought in the Mini Program; the Official Account knows her by the unionid the merchant has.
    const order = { ...orderFor(openidFor(TEST_ENV.WECHAT_APPID, 'alice'), 'H5B-1'), unionid: unionidFor(OPEN_PLATFORM, 'alice') };
    expect((await env.admin('POST', '/orders', order)).status).toBe(201);

    await page.goto(`${env.app.url}/h5/oa/`);
    await page.waitForSelector('#user-alice'); // the sandbox asks which WeChat user is acting
    await shot('01-web-authorization');
    await page.click('#user-alice');
    await page.waitForSelector('#order-H5B-1');
    expect(page.url()).toBe(`${env.app.url}/h5/oa/`);
    expect(await page.textContent('#order-H5B-1')).toContain('¥143.00');
    expect(await page.textContent('#order-H5B-1')).toContain('未开票');
    await shot('02-my-orders');

    await page.click('#order-H5B-1');
    await page.waitForSelector('#apply');
    expect(await page.textContent('#amount')).toBe('¥143.00');
    await shot('03-order');

    await page.click('#apply');
    await page.check('#type-0');
    await page.check('#kind-company');
    await page.fill('#f-name', '福州测试采购有限公司');
    await page.fill('#f-taxNumber', '91350100M000100Y44'); // last character wrong: the USCC check fails
    await page.click('#submit');
    await page.waitForSelector('#errors');
    expect(await page.textContent('#errors')).toContain('税号有误');
    await shot('04-apply-tax-number-refused');
    await page.fill('#f-taxNumber', '91350100m000100y43'); // lower case is accepted and normalized
    await page.fill('#f-email', 'buyer@example.com');
    await shot('05-apply-filled');
    await page.click('#submit');

    // WeChat's authorization page (type 0: the title came from us), as this Official Account's user.
    await page.waitForSelector('#authorize');
    expect(page.url().startsWith(`${env.sandbox.url}/sandbox/auth?`)).toBe(true);
    expect(new URL(page.url()).searchParams.get('openid')).toBe(openidFor(OA.appid, 'alice'));
    await shot('06-wechat-authorization');
    await page.click('#authorize');

    // Back through redirect_url; the page follows the worker by itself until 已开票.
    await page.waitForURL(`${env.app.url}/h5/oa/orders/H5B-1**`);
    await shot('07-back-from-wechat');
    await page.waitForSelector('[data-status="ISSUED"]', { timeout: 30_000 });
    expect(await page.textContent('#hint')).toContain('发票已放入微信卡包');
    await shot('08-issued');

    await page.click('#view');
    await page.waitForSelector('#pdf');
    const fphm = await page.textContent('#fphm');
    expect(fphm).toMatch(/^\d{8}$/);
    await shot('09-invoice');
    const pdfUrl = await page.getAttribute('#pdf', 'href');
    const pdf = await page.request.get(pdfUrl ?? '');
    expect(pdf.headers()['content-type']).toContain('application/pdf');

    const { json } = await env.admin('GET', '/invoices?orderNo=H5B-1');
    expect((json.invoices as Record<string, unknown>[])[0]).toMatchObject({
      account: 'oa',
      source: 'web',
      status: 'ISSUED',
      title: { kind: 'company', name: '福州测试采购有限公司', taxNumber: '91350100M000100Y43' },
    });
    await eventually(async () => fs.readdirSync(SCREENSHOTS).filter((f) => f.endsWith('.png')).length >= 9, 'screenshots written', 5_000);
    expect(problems).toEqual([]);
  });
});
