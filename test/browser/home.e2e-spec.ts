// A newcomer's first look, in real Chromium: the home page with the product name and health, styled by
// the CSS library, and the API docs page rendering under the Content-Security-Policy.
import type { Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { describeInBrowser, launchBrowser } from '../support/browser';

describeInBrowser('home page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the product name and a healthy system, styled by Pico CSS', async () => {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && cspViolations.push(m.text()));
    const res = await page.goto(`${t.baseUrl}/`);
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Attest');
    expect(await page.textContent('h1')).toBe('Attest');
    expect(await page.textContent('#health-state')).toBe('ok');
    expect(await page.locator('#health-alert').count()).toBe(0); // the alert at the top only when degraded
    // database, migrations, storage: each up, in words (no details for someone not signed in).
    expect(await page.locator('#health tbody th').allTextContents()).toEqual(['database', 'migrations', 'storage']);
    expect(await page.locator('#health tbody tr', { hasText: 'storage' }).locator('td').last().textContent()).toBe(
      'writable',
    );
    // Pico sets the body font and the container width: proof the stylesheet loaded and applied.
    const fontFamily = await page.evaluate<string>('getComputedStyle(document.body).fontFamily');
    expect(fontFamily).toMatch(/system-ui|Segoe UI|Roboto/);
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('renders the API docs (Swagger UI) without CSP violations', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${t.baseUrl}/api/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 15_000 });
    expect(await page.textContent('.swagger-ui .info .title')).toContain('Attest API');
    expect(await page.locator('.opblock-summary-path', { hasText: '/health' }).count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
