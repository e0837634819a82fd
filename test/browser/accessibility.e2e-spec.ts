// Accessibility of the main pages (issue 19), checked by axe-core in real Chromium as each person sees them:
// no serious or critical violation of WCAG 2.1 A/AA rules (labels, names, contrast, structure, keyboard).
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's serious and critical findings on the page as it is now, one line each (rule, help, where). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE); // through the DevTools protocol: the page's Content-Security-Policy does not apply
  const violations = await page.evaluate<Violation[]>(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

const PAGES: Record<keyof typeof DEMO, string[]> = {
  compliance: [
    '/',
    '/sweeps',
    '/catalog',
    '/catalog/soc2',
    '/controls',
    '/controls/ACC-01',
    '/documents',
    '/releases',
    '/incidents',
    '/incidents/new',
    '/risks',
    '/dsr',
    '/audit/engagements',
    '/audit/packs',
    '/audit-trail',
    '/notifications',
    '/search?q=access',
  ],
  owner: ['/', '/sweep', '/dsr/tasks', '/me/acknowledgements'],
  privacy: ['/dsr', '/dsr/systems', '/dsr/drills'],
  auditor: ['/audit', '/audit/packs'],
  admin: ['/admin/users'],
  owner2: [],
  quality: [],
  viewer: [],
};

describeInBrowser('accessibility of the main pages (axe-core)', () => {
  const ctx = browserApp();

  it('the check itself finds a field without a label and text without contrast', async () => {
    const { t, browser } = ctx;
    const page = await signInPage(browser, t.baseUrl, DEMO.viewer, '/controls');
    await page.waitForURL(`${t.baseUrl}/controls`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend',
      '<input type="text" id="unlabelled"><p id="faint" style="color:#eee;background:#fff">faint</p>')`);
    const found = await seriousViolations(page);
    expect(found.some((v) => v.startsWith('label (critical)') && v.includes('#unlabelled'))).toBe(true);
    expect(found.some((v) => v.startsWith('color-contrast (serious)') && v.includes('#faint'))).toBe(true);
    await page.context().close();
  });

  it.each(Object.entries(PAGES).filter(([, pages]) => pages.length > 0))(
    'as %s: no serious or critical violation',
    async (who, pages) => {
      const { t, browser } = ctx;
      const page = await signInPage(browser, t.baseUrl, DEMO[who as keyof typeof DEMO], pages[0]);
      await page.waitForURL(`${t.baseUrl}${pages[0]}`);
      const found: string[] = [];
      for (const path of pages) {
        if (page.url() !== `${t.baseUrl}${path}`) await page.goto(`${t.baseUrl}${path}`);
        for (const v of await seriousViolations(page)) found.push(`${path}: ${v}`);
      }
      expect(found).toEqual([]);
      await page.context().close();
    },
    180_000,
  );
  it('the header\'s menus opened: "More" on a desktop, "Menu" on a phone', async () => {
    const { t, browser } = ctx;
    const page = await signInPage(browser, t.baseUrl, DEMO.admin, '/findings');
    await page.waitForURL(`${t.baseUrl}/findings`);
    await page.click('#more-menu > summary');
    expect(await page.locator('#more-menu a[href="/findings"]').isVisible()).toBe(true);
    const found = (await seriousViolations(page)).map((v) => `1280 px: ${v}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.baseUrl}/findings`);
    await page.click('#menu > summary');
    expect(await page.locator('#menu a[href="/findings"]').isVisible()).toBe(true);
    found.push(...(await seriousViolations(page)).map((v) => `390 px: ${v}`));
    expect(found).toEqual([]);
    await page.context().close();
  });
});
