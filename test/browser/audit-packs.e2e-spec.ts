// The audit packs list in Chromium (issue 19): the compliance manager finds "Audit packs" from the
// engagements page, asks for a pack with the period backwards (refused next to its field, the input kept),
// then for a SOC 2 pack of the first quarter; once built, the list shows it with its scope, who asked (a
// name, not an id), the times in the compliance zone, its size and downloads (PDF, ZIP, manifest) that work. The demo auditor
// (SOC 2 engagement for this year) sees that pack, which lies inside their engagement, and not a PDPA
// one, and their form offers only their engagement's framework. Nothing runs off the right edge at 1280 px.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

/** Screenshots for a person to look at, when SCREENSHOT_DIR is set. */
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR)
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

describeInBrowser('audit packs list in the browser', () => {
  const ctx = browserApp();

  it('a compliance manager requests packs and finds them again; an auditor sees those of their engagement', async () => {
    const base = ctx.t.baseUrl;
    const year = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4);
    const manager = await signInPage(ctx.browser, base, DEMO.compliance, '/audit/engagements');
    await manager.setViewportSize({ width: 1280, height: 900 });
    await manager.click('#audit-packs-link');
    await manager.waitForURL(`${base}/audit/packs`);

    // A period that ends before it starts: refused on the same page, next to its field, the input kept.
    const form = manager.locator('#request-pack-form');
    await form.locator('select[name=framework]').selectOption('soc2');
    await form.locator('input[name=from]').fill(`${year}-03-31`);
    await form.locator('input[name=to]').fill(`${year}-01-01`);
    await form.locator('#request-pack-submit').click();
    await manager.waitForSelector('#request-pack-error');
    expect(manager.url()).toBe(`${base}/audit/packs`);
    expect(await manager.textContent('#to-error')).toBe('must not be before from');
    expect(await form.locator('input[name=to]').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('input[name=from]').inputValue()).toBe(`${year}-03-31`);
    expect(await form.locator('input[name=to]').inputValue()).toBe(`${year}-01-01`);
    expect(await form.locator('select[name=framework]').inputValue()).toBe('soc2');
    await shot(manager, 'audit-packs-refused');

    // Corrected: post/redirect/get to the pack's page.
    await form.locator('input[name=from]').fill(`${year}-01-01`);
    await form.locator('input[name=to]').fill(`${year}-03-31`);
    await form.locator('#request-pack-submit').click();
    await manager.waitForURL(/\/audit\/packs\/[0-9a-f-]{36}$/);
    const soc2 = manager.url().split('/').pop()!;
    expect(await ctx.t.app.get(PackBuilder).buildNow(soc2)).toMatchObject({ status: 'done' });

    // A PDPA pack, outside the auditor's engagement, requested the same way.
    await manager.goto(`${base}/audit/packs`);
    await form.locator('select[name=framework]').selectOption('pdpa');
    await form.locator('input[name=from]').fill(`${year}-01-01`);
    await form.locator('input[name=to]').fill(`${year}-01-31`);
    await form.locator('#request-pack-submit').click();
    await manager.waitForURL(/\/audit\/packs\/[0-9a-f-]{36}$/);
    const pdpa = manager.url().split('/').pop()!;

    await manager.goto(`${base}/audit/packs`);
    const row = manager.locator(`#packs tr[data-pack="${soc2}"]`);
    expect(await row.getAttribute('data-status')).toBe('done');
    expect(await row.locator('.pack-framework').textContent()).toBe('soc2');
    expect(await row.locator('.pack-period').textContent()).toBe(`${year}-01-01 – ${year}-03-31`);
    expect(await row.locator('.pack-requested-by').textContent()).toBe('Chanida Srisuk');
    expect(await row.locator('.pack-created').textContent()).toMatch(/ ICT$/);
    expect(await row.locator('.pack-finished').textContent()).toMatch(/ ICT$/);
    expect(await row.locator('.pack-size').textContent()).toMatch(/^\d+(\.\d)? (bytes|KiB|MiB)$/);
    expect(await manager.locator(`#packs tr[data-pack="${pdpa}"]`).getAttribute('data-status')).toBe('queued');
    expect(await manager.locator('#packs').textContent()).not.toMatch(/user:[0-9a-f]{8}-/);
    const [pdf] = await Promise.all([manager.waitForEvent('download'), row.locator('.download-pdf').click()]);
    expect(
      readFileSync((await pdf.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const [zip] = await Promise.all([manager.waitForEvent('download'), row.locator('.download-zip').click()]);
    expect(
      readFileSync((await zip.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const [manifest] = await Promise.all([manager.waitForEvent('download'), row.locator('.download-manifest').click()]);
    expect(manifest.suggestedFilename()).toBe(`audit-pack-soc2-${year}-01-01-${year}-03-31-manifest.json`);
    const listed = JSON.parse(readFileSync((await manifest.path())!, 'utf8')) as {
      scope: { framework: string };
      pdf: { path: string };
    };
    expect([listed.scope.framework, listed.pdf.path]).toEqual(['soc2', 'audit-pack.pdf']);
    expect(await manager.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    await shot(manager, 'audit-packs-manager');

    // The auditor: reads the SOC 2 pack (its scope lies inside their engagement), not the PDPA one.
    const auditor = await signInPage(ctx.browser, base, DEMO.auditor, '/audit');
    await auditor.setViewportSize({ width: 1280, height: 900 });
    await auditor.click('#audit-packs-link');
    await auditor.waitForURL(`${base}/audit/packs`);
    expect(await auditor.locator(`#packs tr[data-pack="${soc2}"]`).count()).toBe(1);
    expect(await auditor.locator(`#packs tr[data-pack="${pdpa}"]`).count()).toBe(0);
    const frameworks = auditor.locator('#request-pack-form select[name=framework] option');
    expect(await frameworks.count()).toBe(1);
    expect(await frameworks.first().getAttribute('value')).toBe('soc2');
    expect(await auditor.locator('#request-pack-form select[name=engagementId] option[value=""]').count()).toBe(0);
    await shot(auditor, 'audit-packs-auditor');
  }, 180_000);
});
