// The catalog browser in Chromium: framework → requirement → control, and a compliance manager
// assigning the accountable person, whom the control owner then sees on their "mine" list.
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

describeInBrowser('catalog pages', () => {
  const ctx = browserApp();

  const signIn = (email: string, next: string): Promise<Page> => signInPage(ctx.browser, ctx.t.baseUrl, email, next);

  it('browses from the frameworks to a requirement to the controls that satisfy it', async () => {
    const page = await signIn(DEMO.auditor, '/catalog');
    expect(await page.locator('#frameworks tbody tr').count()).toBe(4);
    expect(await page.textContent('tr[data-framework="soc2"] .coverage')).toBe('61 covered · 0 n/a · 0 open');
    await page.click('tr[data-framework="pdpa"] a[href="/catalog/pdpa"]');
    expect(await page.textContent('h1')).toContain('Personal Data Protection');
    const firstControl = page.locator('tr[id="req-s30"] td:nth-child(3) a').first();
    const key = (await firstControl.textContent())!.trim();
    await firstControl.click();
    expect(page.url()).toBe(`${ctx.t.baseUrl}/controls/${key}`);
    expect(await page.locator('#requirements a', { hasText: 's30' }).count()).toBe(1);
    expect(await page.locator('#assign-owner').count()).toBe(0); // auditors only read
    await page.context().close();
  });

  it('a compliance manager assigns a control to a person, who sees it under "mine"', async () => {
    const manager = await signIn(DEMO.compliance, '/controls?department=engineering');
    const key = (await manager.locator('#controls tbody tr').first().getAttribute('data-key'))!;
    await manager.click(`#controls tr[data-key="${key}"] a`);
    await manager.selectOption('#assign-owner select[name=userId]', { label: 'Somchai Jaidee (engineering)' });
    await manager.click('#assign-owner button[type=submit]');
    await manager.waitForURL(`${ctx.t.baseUrl}/controls/${key}?done=owner.assigned`);
    expect(await manager.textContent('#confirmation')).toMatch(/^Owner assigned/);
    expect(await manager.textContent('#owner-name')).toBe('Somchai Jaidee');
    await manager.context().close();
    const owner = await signIn(DEMO.owner, '/controls?owner=me');
    expect(await owner.locator('#controls tbody tr').count()).toBe(1);
    expect(await owner.getAttribute('#controls tbody tr', 'data-key')).toBe(key);
    await owner.context().close();
  });
});
