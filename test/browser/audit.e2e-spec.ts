// The auditor portal in Chromium: the demo auditor (SOC 2 engagement for this year) signs in, opens the
// portal from the menu, requests a SOC 2 pack, watches its progress on the pack page (the polling script
// follows the build and reloads when it ends), and downloads the signed PDF and the ZIP.
import { readFileSync } from 'node:fs';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

describeInBrowser('auditor portal in the browser', () => {
  const ctx = browserApp();

  it('an auditor requests a SOC 2 pack, sees its progress and downloads it', async () => {
    const year = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 4);
    const page = await signInPage(ctx.browser, ctx.t.baseUrl, DEMO.auditor, '/');
    await page.click('nav a[href="/audit"]');
    await page.waitForURL(`${ctx.t.baseUrl}/audit`);
    const engagement = page.locator('article.engagement[data-state="active"]');
    expect(await engagement.locator('.scope-framework').allTextContents()).toEqual(['soc2']);
    expect(await engagement.locator('.scope-period').textContent()).toBe(`${year}-01-01 – ${year}-12-31`);

    // Request the pack for the first quarter of the engagement's period.
    const form = engagement.locator('form.request-pack');
    await form.locator('select[name=framework]').selectOption('soc2');
    await form.locator('input[name=to]').fill(`${year}-03-31`);
    await form.locator('button.request-pack-submit').click();
    await page.waitForURL(/\/audit\/packs\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    expect(['queued', 'building']).toContain(await page.getAttribute('#pack', 'data-status'));
    expect(await page.locator('#pack-progress').count()).toBe(1);
    expect(await page.locator('#pack-downloads').count()).toBe(0);

    // The build runs (jobs are off in tests: the test starts it). Nobody reloads the page: its polling
    // script follows the build and reloads it once done, which shows the downloads.
    const built = ctx.t.app.get(PackBuilder).buildNow(id);
    await page.waitForSelector('#pack[data-status="done"] #pack-downloads', { timeout: 120_000 });
    expect((await built)?.status).toBe('done');
    expect(await page.textContent('#pack-percent')).toBe('100');
    expect(await page.textContent('#pack-status')).toBe('done');

    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
    expect(pdf.suggestedFilename()).toBe(`audit-pack-soc2-${year}-01-01-${year}-03-31.pdf`);
    expect(
      readFileSync((await pdf.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('#download-zip')]);
    expect(zip.suggestedFilename()).toMatch(/\.zip$/);
    expect(
      readFileSync((await zip.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  }, 180_000);
});
