import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { startTestApp, type TestApp } from './app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/**
 * Debian's Chromium, headless, with the flags that keep it off the network on a closed machine.
 * Playwright gives it a fresh temporary profile and removes it on close.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** `describe` when Chromium is installed; otherwise the block is skipped and the reason printed once. */
export function describeInBrowser(name: string, body: () => void): void {
  const reason = browserUnavailable();
  if (reason) {
    console.warn(`SKIPPED browser tests (${name}): ${reason}`);
    describe.skip(name, body);
  } else {
    describe(name, body);
  }
}

/** A fresh browser context signed in through the login form, landing on `next`. */
export async function signInPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  next = '/',
  password = 'attest-demo',
): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('#login-submit');
  return page;
}

/**
 * Inside a describeInBrowser block: the real app (with `env`) and Chromium, started before its tests and
 * closed after them. Read them as `ctx.t` and `ctx.browser` once the tests run.
 */
export function browserApp(env: Record<string, string> = { DEMO: '1' }): {
  readonly t: TestApp;
  readonly browser: Browser;
} {
  const ctx = {} as { t: TestApp; browser: Browser };
  beforeAll(async () => {
    ctx.t = await startTestApp({ env });
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.t?.close();
  });
  return ctx;
}
