// Global search in Chromium, by keyboard only: "/" opens it from any page, the box has the focus,
// Enter searches, Tab reaches the first match and Enter opens it.
import { join } from 'node:path';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

describeInBrowser('global search in the browser', () => {
  const ctx = browserApp();
  const shots = process.env.ATTEST_SCREENSHOTS;

  it('a compliance manager finds a control by keyboard and opens it', async () => {
    const { t, browser } = ctx;
    const page = await signInPage(browser, t.baseUrl, DEMO.compliance, '/controls');
    await page.waitForURL(`${t.baseUrl}/controls`);
    await page.keyboard.press('/'); // from any page
    await page.waitForURL(`${t.baseUrl}/search`);
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('search-q');
    await page.keyboard.type('access review');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.baseUrl}/search?q=access+review`);
    expect(await page.textContent('#search-summary')).toMatch(/^\d+ match\(es\) for “access review”\.$/);
    const first = page.locator('#search-controls li a').first();
    const href = (await first.getAttribute('href'))!;
    expect(href).toMatch(/^\/controls\/[A-Z]+-\d+$/);
    if (shots) await page.screenshot({ path: join(shots, 'search.png'), fullPage: true });
    await first.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.baseUrl}${href}`);
    await page.context().close();
  });
});
