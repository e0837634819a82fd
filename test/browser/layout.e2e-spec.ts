// The page layout in Chromium (issue 19): every persona's main pages (home and each page their header links
// to) fit a 1280 px desktop and a 390 px phone without horizontal scroll, and "Sign out" stays on screen and
// clickable. Wide tables scroll inside their own box instead of widening the page. Thai text is drawn in the
// Sarabun web font the app serves.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser } from '../support/browser';

/** Screenshots (the first screen of each page) for a person to look at, when SCREENSHOT_DIR is set. */
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`) });
};

/** The innermost elements that reach past the right edge of the window, for a readable failure. */
const overflowing = (page: Page) =>
  page.evaluate<string[]>(`(() => {
    const past = (e) => e.getBoundingClientRect().right > window.innerWidth + 0.5;
    return [...document.querySelectorAll('body *')]
      .filter((e) => past(e) && !e.closest('.overflow-auto') && ![...e.children].some(past))
      .slice(0, 3)
      .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + e.textContent.trim().slice(0, 40) + '"');
  })()`);

const PERSONAS = ['admin', 'compliance', 'owner', 'privacy', 'auditor', 'viewer'] as const;
const WIDTHS = [1280, 390];

describeInBrowser('layout on a desktop and on a phone', () => {
  const ctx = browserApp();

  /** Home plus every page the header links to (the API docs are Swagger UI's own layout). */
  async function mainPages(page: Page): Promise<string[]> {
    const links = await page
      .locator('header nav a[href^="/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    return ['/', ...new Set(links.filter((href) => href !== '/' && !href.startsWith('/api/')))];
  }

  it('serves Sarabun and the pages use it for Thai text (no boxes on a machine without a Thai font)', async () => {
    for (const file of ['400Regular/Sarabun_400Regular.ttf', '700Bold/Sarabun_700Bold.ttf']) {
      const res = await fetch(`${ctx.t.baseUrl}/assets/fonts/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('font/ttf');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(50_000);
    }
    // Only the two files: not the rest of the package.
    expect((await fetch(`${ctx.t.baseUrl}/assets/fonts/package.json`)).status).toBe(404);
    const page = await (await ctx.browser.newContext()).newPage();
    await page.goto(`${ctx.t.baseUrl}/login`);
    await page.fill('input[name=email]', DEMO.compliance);
    await page.fill('input[name=password]', 'attest-demo');
    await page.click('#login-submit');
    await page.waitForURL(`${ctx.t.baseUrl}/`);
    // Thai on the page: the search the controls list shows back in its field.
    await page.goto(`${ctx.t.baseUrl}/controls?q=${encodeURIComponent('ภาษาไทย')}`, { waitUntil: 'load' });
    await page.evaluate('document.fonts.ready');
    expect(await page.evaluate<boolean>(`document.fonts.check('16px Sarabun', 'ภาษาไทย')`)).toBe(true);
    const loaded = await page.evaluate<string[]>(
      `[...document.fonts].filter((f) => f.family === 'Sarabun' && f.status === 'loaded').map((f) => f.weight)`,
    );
    expect(loaded).toEqual(['400']);
    // Latin text keeps the system's fonts after it (Sarabun covers only the Thai block).
    expect(await page.evaluate<string>('getComputedStyle(document.body).fontFamily')).toMatch(/^Sarabun, system-ui/);
    await shot(page, 'thai-text-1280');
    await page.context().close();
  });

  it.each(PERSONAS)(
    '%s: no horizontal scroll at 1280 and 390 px, Sign out reachable',
    async (persona) => {
      const problems: string[] = [];
      for (const width of WIDTHS) {
        const context = await ctx.browser.newContext({ viewport: { width, height: 844 } });
        const page = await context.newPage();
        await page.goto(`${ctx.t.baseUrl}/login`);
        await page.fill('input[name=email]', DEMO[persona]);
        await page.fill('input[name=password]', 'attest-demo');
        await page.click('#login-submit');
        await page.waitForURL(`${ctx.t.baseUrl}/`, { waitUntil: 'load' });
        const pages = await mainPages(page);
        expect(pages.length).toBeGreaterThan(3);
        for (const path of pages) {
          const res = await page.goto(`${ctx.t.baseUrl}${path}`, { waitUntil: 'load' });
          expect(res?.status()).toBe(200);
          await shot(page, `${persona}${path.replace(/\//g, '-')}-${width}`);
          const [scrollWidth, innerWidth] = await page.evaluate<number[]>(
            '[document.documentElement.scrollWidth, window.innerWidth]',
          );
          if (scrollWidth > innerWidth)
            problems.push(`${path} at ${width}: ${scrollWidth} px wide (${(await overflowing(page)).join(', ')})`);
          // Sign out: on screen (inside the window's width), not hidden in the menu.
          const box = (await page.locator('#logout').isVisible()) ? await page.locator('#logout').boundingBox() : null;
          if (!box || box.x < 0 || box.x + box.width > innerWidth)
            problems.push(`${path} at ${width}: Sign out off screen (${JSON.stringify(box)})`);
        }
        // The page links: a row on the desktop; on the phone behind "Menu", which opens into a list that fits.
        const catalog = page.locator('#menu a[href="/catalog"]');
        if (width < 768) {
          expect(await catalog.isVisible()).toBe(false);
          await page.click('#menu summary');
          await shot(page, `${persona}-menu-open-${width}`);
        }
        expect(await catalog.isVisible()).toBe(true);
        const links = await page.locator('#menu a').evaluateAll((as) => as.map((a) => a.getBoundingClientRect().right));
        expect(Math.max(...links)).toBeLessThanOrEqual(width);
        // Signing out works from there, at this width.
        await page.click('#logout');
        await page.waitForURL(`${ctx.t.baseUrl}/login`);
        await context.close();
      }
      expect(problems).toEqual([]);
    },
    240_000,
  ); // up to 15 pages twice, on a machine that may be busy
});
