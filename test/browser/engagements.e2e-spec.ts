// Engagements in Chromium (issue 19): the demo auditor leaves a request on a SOC 2 requirement and every
// compliance manager is notified; the compliance manager answers it on the engagements page, the request
// stays there under "Answered requests", and the auditor is notified of the answer. Revoking asks first: a
// confirmation page (no script needed) where "Keep it" changes nothing, and confirming ends the auditor's
// access at once, the engagements page saying so.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

/** Screenshots for a person to look at, when SCREENSHOT_DIR is set. */
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR)
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

describeInBrowser('engagements in the browser', () => {
  const ctx = browserApp();

  it('requests notify both ways, answered ones stay in view, and revoking is confirmed first', async () => {
    const base = ctx.t.baseUrl;
    const text = `Please show the Q1 access review ${Date.now()}.`;

    // The auditor leaves a request on CC6.1.
    const auditor = await signInPage(ctx.browser, base, DEMO.auditor, '/audit');
    await auditor.click('a.browse-framework[data-framework="soc2"]');
    const requirement = auditor.locator('#req-CC6_1');
    await requirement.locator('details.add-request summary').click();
    await requirement.locator('textarea[name=body]').fill(text);
    await requirement.locator('button.add-request-submit').click();
    await auditor.waitForURL(/#req-CC6_1$/);

    // The compliance manager is told, and the link leads to the request on the engagements page.
    const manager = await signInPage(ctx.browser, base, DEMO.compliance, '/notifications');
    await manager.setViewportSize({ width: 1280, height: 900 });
    const raised = manager.locator('#notifications tr', { hasText: 'Auditor request on soc2 CC6.1' });
    expect(await raised.locator('.notification-body').textContent()).toContain(text);
    expect(await raised.locator('.notification-body').textContent()).toContain('Alex Auditor asked');
    await raised.locator('a', { hasText: 'Open' }).click();
    await manager.waitForURL(/\/audit\/engagements#request-[0-9a-f-]{36}$/);
    const requestId = manager.url().split('#request-')[1];
    const open = manager.locator(`article.request[data-request="${requestId}"]`);
    expect(await open.textContent()).toContain(text);

    // Answered: it leaves the open list and stays under "Answered requests".
    await open.locator('textarea[name=answer]').fill('See the ACC-02 review of 2 April.');
    await open.locator('button.answer-submit').click();
    await manager.waitForURL(`${base}/audit/engagements#requests`);
    expect(await manager.locator(`article.request[data-request="${requestId}"]`).count()).toBe(0);
    const answered = manager.locator(`#answered tr[data-request="${requestId}"]`);
    expect(await answered.getAttribute('data-status')).toBe('answered');
    expect(await answered.locator('.request-answer').textContent()).toContain('See the ACC-02 review of 2 April.');
    expect(await answered.locator('.request-answer').textContent()).toContain('Chanida Srisuk');
    await shot(manager, 'engagements-answered');

    // The auditor is told of the answer.
    await auditor.goto(`${base}/notifications`);
    const told = auditor.locator('#notifications tr', { hasText: 'Your request on soc2 CC6.1 was answered' });
    expect(await told.locator('.notification-body').textContent()).toContain('See the ACC-02 review of 2 April.');

    // Revoking asks first; "Keep it" changes nothing.
    const row = manager.locator('#engagements tr[data-state="active"]').first();
    const engagementId = (await row.getAttribute('data-engagement'))!;
    await row.locator('a.revoke').click();
    await manager.waitForURL(`${base}/audit/engagements/${engagementId}/revoke`);
    expect(await manager.textContent('#revoke-auditor')).toBe('Alex Auditor');
    await shot(manager, 'engagement-revoke-confirm');
    await manager.click('#revoke-cancel');
    await manager.waitForURL(`${base}/audit/engagements`);
    expect(await manager.getAttribute(`#engagements tr[data-engagement="${engagementId}"]`, 'data-state')).toBe(
      'active',
    );
    await manager.locator(`#engagements tr[data-engagement="${engagementId}"] a.revoke`).click();
    await manager.click('#revoke-confirm');
    await manager.waitForURL(new RegExp(`/audit/engagements\\?revoked=${engagementId}#engagements$`));
    expect(await manager.textContent('#revoked-notice')).toContain('Alex Auditor no longer has access');
    expect(await manager.getAttribute(`#engagements tr[data-engagement="${engagementId}"]`, 'data-state')).toBe(
      'revoked',
    );
    await auditor.goto(`${base}/audit`);
    expect(await auditor.locator(`article.engagement[data-engagement="${engagementId}"]`).count()).toBe(0);
  }, 120_000);
});
