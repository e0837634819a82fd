// The page layout in Chromium (issue 19): every persona's main pages (home and each page their header links
// to) fit a 1280 px desktop and a 390 px phone without horizontal scroll, and "Sign out" stays on screen and
// clickable. At 1280 px the header's links are one row (the less used under "More", a <details> opened with
// the keyboard), the current page's link marked with aria-current; on a phone "Menu" lists them all. The
// registers and detail pages added later (findings, keys, releases, incidents, documents, packs, users,
// notifications, an owner's sweep tasks) fit 390 px with data in them. Wide tables scroll inside their own box
// instead of widening the page. Thai text is drawn in the Sarabun web font the app serves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { client, DEMO, login } from '../support/auth';
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

/** How many rows the header's page links take: the distinct tops of the row's items. */
const menuRows = (page: Page) =>
  page.evaluate<number>(
    `new Set([...document.querySelectorAll('#menu nav > ul > li')].map((li) => li.getBoundingClientRect().top)).size`,
  );

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
          if (width >= 1024 && (await menuRows(page)) !== 1) problems.push(`${path} at ${width}: the menu wraps`);
          // The page's own link is marked (only it), wherever it sits in the header.
          const current = await page
            .locator('header a[aria-current]')
            .evaluateAll((as) => as.map((a) => `${a.getAttribute('href')}=${a.getAttribute('aria-current')}`));
          if (current.join() !== `${path}=page`)
            problems.push(`${path} at ${width}: marked current ${JSON.stringify(current)}`);
          // Sign out: on screen (inside the window's width), not hidden in the menu.
          const box = (await page.locator('#logout').isVisible()) ? await page.locator('#logout').boundingBox() : null;
          if (!box || box.x < 0 || box.x + box.width > innerWidth)
            problems.push(`${path} at ${width}: Sign out off screen (${JSON.stringify(box)})`);
        }
        // The page links: a row on the desktop; on the phone behind "Menu", which opens into a list that fits.
        const catalog = page.locator('#menu a[href="/catalog"]');
        if (width < 768) {
          expect(await catalog.isVisible()).toBe(false);
          await page.click('#menu > summary');
          await shot(page, `${persona}-menu-open-${width}`);
          // Every link is in the opened list, "More"'s too (no second box to open on a phone).
          const hidden = await page
            .locator('#menu nav a')
            .evaluateAll((as) => as.filter((a) => !a.checkVisibility()).map((a) => a.getAttribute('href')));
          expect(hidden).toEqual([]);
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
  /** A fresh context of `width` signed in as `persona`, on the home page. */
  async function signedIn(browser: Browser, persona: keyof typeof DEMO, width: number): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height: 844 } })).newPage();
    await page.goto(`${ctx.t.baseUrl}/login`);
    await page.fill('input[name=email]', DEMO[persona]);
    await page.fill('input[name=password]', 'attest-demo');
    await page.click('#login-submit');
    await page.waitForURL(`${ctx.t.baseUrl}/`, { waitUntil: 'load' });
    return page;
  }

  it.each(PERSONAS)(
    '%s at 1280 px: the page links are one row; "More" (if any) opens with the keyboard, the rest on screen',
    async (persona) => {
      const page = await signedIn(ctx.browser, persona, 1280);
      expect(await menuRows(page)).toBe(1);
      // The row is one line high (the links' height, not two of them).
      const [rowHeight, linkHeight] = await page.evaluate<number[]>(
        `[document.querySelector('#menu nav > ul').getBoundingClientRect().height,
          document.querySelector('#menu nav > ul > li').getBoundingClientRect().height]`,
      );
      expect(rowHeight).toBeLessThan(linkHeight * 1.5);
      expect(await page.getAttribute('a.brand', 'aria-current')).toBe('page');
      if (persona === 'viewer') {
        // One link beyond the everyday ones (API) ends the row: no "More", every link shown.
        expect(await page.locator('#more-menu').count()).toBe(0);
        const hidden = await page
          .locator('#menu nav a')
          .evaluateAll((as) => as.filter((a) => !a.checkVisibility()).map((a) => a.getAttribute('href')));
        expect(hidden).toEqual([]);
        expect(await page.locator('#menu nav a[href="/api/docs"]').isVisible()).toBe(true);
        return page.context().close();
      }
      // "More": named for a screen reader, closed at first, opened and closed with Enter, its links on screen.
      const summary = page.locator('#more-menu > summary');
      expect((await summary.textContent())?.replace(/\s+/g, ' ').trim()).toBe('More pages');
      expect(await summary.isVisible()).toBe(true);
      const more = page.locator('#more-menu a');
      expect(await more.count()).toBeGreaterThan(0);
      expect(await more.first().isVisible()).toBe(false);
      await summary.focus();
      await page.keyboard.press('Enter');
      await shot(page, `${persona}-more-open-1280`);
      const boxes = await more.evaluateAll((as) =>
        as.map((a) => [a.checkVisibility(), a.getBoundingClientRect().left, a.getBoundingClientRect().right]),
      );
      for (const [visible, left, right] of boxes as [boolean, number, number][]) {
        expect(visible).toBe(true);
        expect(left).toBeGreaterThanOrEqual(0);
        expect(right).toBeLessThanOrEqual(1280);
      }
      await page.keyboard.press('Tab');
      expect(
        await page.evaluate<string | null>(
          `document.activeElement.closest('#more-menu') && document.activeElement.getAttribute('href')`,
        ),
      ).toBe(await more.first().getAttribute('href'));
      await summary.focus();
      await page.keyboard.press('Enter');
      expect(await more.first().isVisible()).toBe(false);
      // Escape closes it from inside (focus on one of its links) and gives the focus back to "More".
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      expect(await more.first().isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      expect(await more.first().isVisible()).toBe(false);
      expect(
        await page.evaluate<boolean>(`document.activeElement === document.querySelector('#more-menu > summary')`),
      ).toBe(true);
      await page.context().close();
    },
    60_000,
  );

  /** Data for the newer pages to show: a release with its SBOM and test report, an incident, a pack, a sweep. */
  async function seedNewerPages(): Promise<{ release: string; owner: string }> {
    const base = ctx.t.baseUrl;
    const manager = client(base, await login(base, DEMO.compliance));
    const owner = client(base, await login(base, DEMO.owner));
    const token: string = (await owner('POST', '/api/tokens', { name: 'layout ci', expiresInDays: 1 })).json.token;
    const release = {
      product: 'hms',
      version: '5.3.0-rc.1+build.20261207',
      commit: '0123456789abcdef0123456789abcdef01234567',
    };
    expect(
      (await client(base, token)('POST', '/api/releases', { ...release, builtAt: new Date().toISOString() })).status,
    ).toBe(201);
    for (const [kind, name] of [
      ['test_report', 'junit-passing.xml'],
      ['sbom', 'sbom-1.json'],
    ]) {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(join(__dirname, '..', 'fixtures', 'releases', name))]), name);
      const res = await fetch(`${base}/api/releases/hms/${encodeURIComponent(release.version)}/attachments/${kind}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect([kind, res.status]).toEqual([kind, 201]);
    }
    const incident = await manager('POST', '/api/incidents', {
      title: 'Single sign-on refused every clinic after its certificate expired overnight',
      description: 'The identity provider certificate expired at 02:00; nobody could sign in until it was renewed.',
      severity: 'SEV2',
      categories: ['availability', 'security'],
    });
    expect(incident.status).toBe(201);
    expect(
      (await manager('POST', '/api/packs', { framework: 'soc2', from: '2026-01-01', to: '2026-06-30' })).status,
    ).toBe(202);
    expect([200, 201]).toContain((await manager('POST', '/api/sweeps', {})).status);
    const owners = await manager('GET', '/api/users?role=control_owner');
    const ownerId: string = owners.json.items.find((u: { email: string }) => u.email === DEMO.owner).id;
    return { release: `/releases/hms/${encodeURIComponent(release.version)}`, owner: ownerId };
  }

  it('the newer registers and pages fit 390 px with data in them, for every persona (tables scroll in their box)', async () => {
    const seeded = await seedNewerPages();
    const paths = [
      '/findings',
      '/keys',
      '/releases',
      seeded.release,
      '/incidents',
      '/documents',
      `/sweeps/tasks?owner=${seeded.owner}`,
      '/sweeps/tasks?department=engineering', // the demo's tasks are its departments': a list with rows
      '/audit/packs',
      '/admin/users',
      '/notifications',
    ];
    const problems: string[] = [];
    const opened: Record<string, string[]> = {};
    for (const persona of PERSONAS) {
      const page = await signedIn(ctx.browser, persona, 390);
      for (const path of paths) {
        const res = await page.goto(`${ctx.t.baseUrl}${path}`, { waitUntil: 'load' });
        // Pages a persona may not open answer with an error page: that must fit too.
        if (res?.status() === 200) (opened[persona] ??= []).push(path);
        await shot(page, `${persona}${path.replace(/[/?=]/g, '-')}-390-newer`);
        const [scrollWidth, innerWidth] = await page.evaluate<number[]>(
          '[document.documentElement.scrollWidth, window.innerWidth]',
        );
        if (scrollWidth > innerWidth)
          problems.push(`${persona} ${path}: ${scrollWidth} px wide (${(await overflowing(page)).join(', ')})`);
        if (!(await page.locator('#logout').isVisible())) problems.push(`${persona} ${path}: no Sign out`);
      }
      await page.context().close();
    }
    expect(problems).toEqual([]);
    // The admin opens every one of them, the manager all but user administration.
    expect(opened.admin).toEqual(paths);
    expect(opened.compliance).toEqual(paths.filter((p) => p !== '/admin/users'));
  }, 240_000);
});
