import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium, installed by scripts/ensure-chromium.sh (jest.config.js leaves the browser tests out without it, outside CI). */
const CHROMIUM = '/usr/bin/chromium';

/** Headless, and without Chromium's own background connections (refused on a machine without internet). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The one way browser tests start Chromium. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed (${CHROMIUM}): run scripts/ensure-chromium.sh (as root: apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Chromium with one context (viewport, locale, user agent…); closing the context closes the browser. */
export async function openChromiumContext(options: BrowserContextOptions, defaultTimeoutMs: number): Promise<BrowserContext> {
  const browser = await launchChromium();
  const context = await browser.newContext(options);
  context.setDefaultTimeout(defaultTimeoutMs);
  context.once('close', () => void browser.close());
  return context;
}
