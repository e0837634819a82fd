// Persona journeys in Chromium: sign in through the form, see who I am, reach (or not) the admin pages,
// add a user as admin, sign out.
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser } from '../support/browser';

describeInBrowser('signing in with the browser', () => {
  const ctx = browserApp();

  async function signIn(email: string, password = 'attest-demo', from = '/'): Promise<Page> {
    const page = await (await ctx.browser.newContext()).newPage();
    await page.goto(`${ctx.t.baseUrl}${from}`);
    if (!page.url().includes('/login')) await page.click('#login-link');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('#login-submit');
    return page;
  }

  it('a control owner signs in, sees their name and role, and no admin menu', async () => {
    const page = await signIn(DEMO.owner);
    expect(await page.textContent('#whoami-name')).toBe('Somchai Jaidee');
    expect(await page.textContent('#whoami-role')).toBe('control owner');
    expect(await page.locator('a[href="/admin/users"]').count()).toBe(0);
    const res = await page.goto(`${ctx.t.baseUrl}/admin/users`);
    expect(res?.status()).toBe(403);
    await page.goto(`${ctx.t.baseUrl}/`);
    await page.click('#logout');
    expect(page.url()).toBe(`${ctx.t.baseUrl}/login`);
    expect(await page.locator('#whoami').count()).toBe(0);
    await page.context().close();
  });

  it('on a 390 px phone the header wraps: nothing sticks out to the right, Sign out is on screen', async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${ctx.t.baseUrl}/login`);
    await page.fill('input[name=email]', DEMO.admin); // the admin has the most links in the header
    await page.fill('input[name=password]', 'attest-demo');
    await page.click('#login-submit');
    // Measure the home page once it has loaded (its stylesheet applied), not whatever is on screen mid-navigation.
    await page.waitForURL(`${ctx.t.baseUrl}/`, { waitUntil: 'load' });
    const wide = await page.evaluate<string[]>(
      `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 390).map((e) => e.tagName + '#' + e.id + '.' + e.className + ': ' + (e.textContent || '').slice(0, 80))`,
    );
    expect(wide).toEqual([]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const box = await page.locator('#logout').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    // A page with a 64-character fingerprint (the signing certificate's) fits too: long codes break.
    await page.goto(`${ctx.t.baseUrl}/audit/engagements`);
    expect(await page.locator('code', { hasText: /^[0-9a-f]{64}$/ }).count()).toBeGreaterThan(0);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await context.close();
  });

  it('a wrong password shows one generic message and keeps the e-mail', async () => {
    const page = await signIn(DEMO.viewer, 'not-the-password');
    expect(await page.textContent('#login-error')).toBe('The e-mail address or password is not correct.');
    expect(await page.inputValue('input[name=email]')).toBe(DEMO.viewer);
    await page.context().close();
  });

  it('a signed-out visit to an admin page goes to the login page and comes back after sign-in', async () => {
    const page = await (await ctx.browser.newContext()).newPage();
    await page.goto(`${ctx.t.baseUrl}/admin/users`);
    expect(page.url()).toBe(`${ctx.t.baseUrl}/login?next=${encodeURIComponent('/admin/users')}`);
    await page.fill('input[name=email]', DEMO.admin);
    await page.fill('input[name=password]', 'attest-demo');
    await page.click('#login-submit');
    expect(page.url()).toBe(`${ctx.t.baseUrl}/admin/users`);
    expect(await page.locator('#users tbody tr').count()).toBeGreaterThanOrEqual(7);
    await page.context().close();
  });

  it('an admin adds a user, who then signs in with the one-time password', async () => {
    const admin = await signIn(DEMO.admin, 'attest-demo', '/login?next=/admin/users');
    // Every row's Save button is on screen (the row form once ran off the right edge at 1280 px).
    const width = admin.viewportSize()!.width;
    for (const box of await Promise.all(
      (await admin.locator('#users button[type=submit]').all()).map((b) => b.boundingBox()),
    ))
      expect(box!.x + box!.width).toBeLessThanOrEqual(width);
    await admin.fill('#create-user input[name=email]', 'kanya@example.co.th');
    await admin.fill('#create-user input[name=name]', 'Kanya Meesuk');
    await admin.selectOption('#create-user select[name=role]', 'privacy_officer');
    await admin.selectOption('#create-user select[name=department]', 'privacy');
    await admin.click('#create-user button[type=submit]');
    const password = (await admin.textContent('#one-time-password'))!.trim();
    expect(password).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    expect(await admin.locator('#users tr[data-email="kanya@example.co.th"]').count()).toBe(1);
    await admin.context().close();
    const kanya = await signIn('kanya@example.co.th', password);
    expect(await kanya.textContent('#whoami-name')).toBe('Kanya Meesuk');
    expect(await kanya.textContent('#whoami-role')).toBe('privacy officer');
    await kanya.context().close();
  });
});
