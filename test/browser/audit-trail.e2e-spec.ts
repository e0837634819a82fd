// The audit trail in Chromium (issue 19): the compliance manager filters the trail by a person's e-mail
// address and finds that person's entries (their sign-in among them), shown by name; no user's id is shown
// as the person anywhere on the page; times are in the compliance zone with its name; part of a name
// shared by several people offers a choice; and the page stays within 1280 px.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

/** Screenshots for a person to look at, when SCREENSHOT_DIR is set. */
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR)
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

const USER_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describeInBrowser('audit trail in the browser', () => {
  const ctx = browserApp();

  it('filters by e-mail, names people, shows compliance-zone times and fits 1280 px', async () => {
    const base = ctx.t.baseUrl;
    // The privacy officer signs in (a trail entry of theirs), then the compliance manager reads the trail.
    await (await signInPage(ctx.browser, base, DEMO.privacy, '/')).context().close();
    const page = await signInPage(ctx.browser, base, DEMO.compliance, '/audit-trail');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.waitForURL(`${base}/audit-trail`);

    // Unfiltered: every person cell is a name or a system reference, never a user id.
    const people = await page.locator('#trail-entries td.trail-actor').allTextContents();
    expect(people.length).toBeGreaterThan(0);
    for (const p of people) expect(p).not.toMatch(USER_ID);
    expect(await page.locator('#trail-entries').textContent()).not.toMatch(/user:[0-9a-f]{8}/);
    expect(await page.locator('#trail-entries time').first().textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ICT$/,
    );
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      await page.evaluate<number>('window.innerWidth'),
    );
    await shot(page, 'audit-trail-1280');

    // By e-mail: that person's entries only, named.
    await page.fill('#trail-filter input[name=person]', DEMO.privacy);
    await page.click('#trail-filter button[type=submit]');
    await page.waitForURL(/person=privacy%40demo\.local/);
    expect(await page.textContent('#trail-person')).toContain('privacy@demo.local');
    const rows = page.locator('#trail-entries tbody tr[data-seq]');
    expect(await rows.count()).toBeGreaterThan(0);
    const refs = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-actor')));
    expect(new Set(refs).size).toBe(1);
    expect(refs[0]).toMatch(/^user:/);
    expect(new Set(await page.locator('#trail-entries td.trail-actor').allTextContents())).toEqual(
      new Set(['Pimchanok Rattana']),
    );
    expect(await rows.locator('td:nth-child(4)').allTextContents()).toContain('auth.login');
    await shot(page, 'audit-trail-person');

    // The compliance manager's own entries (their sign-in), by their e-mail address.
    await page.goto(`${base}/audit-trail?person=${encodeURIComponent(DEMO.compliance)}&action=auth.login`);
    expect(await rows.count()).toBeGreaterThan(0);
    expect(new Set(await page.locator('#trail-entries td.trail-actor').allTextContents())).toEqual(
      new Set(['Chanida Srisuk']),
    );

    // "demo.local" matches everyone: a choice, not a guess.
    await page.goto(`${base}/audit-trail?person=demo.local`);
    expect(await page.locator('#trail-person-choices li').count()).toBeGreaterThan(1);
    await page.goto(`${base}/audit-trail?person=nobody-here`);
    expect(await page.locator('#trail-person-nobody').count()).toBe(1);
    await shot(page, 'audit-trail-nobody');
  }, 120_000);
});
