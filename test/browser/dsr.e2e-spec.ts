// A data subject request in Chromium: the privacy officer logs an erasure request for a real patient of the
// demo platform, verifies the requester's identity, exports and downloads the ZIP (with its manifest),
// erases with no grace period and sees the erasure receipt.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startTestApp, TestApp } from '../support/app';
import { DEMO } from '../support/auth';
import { openDemoPlatform, unzip, type DemoPlatform } from '../support/demo-platform';
import { describeInBrowser, launchBrowser, signInPage } from '../support/browser';

describeInBrowser('data subject requests in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let demo: DemoPlatform;

  beforeAll(async () => {
    t = await startTestApp({ env: { DEMO: '1', DSR_DEMO_PLATFORM: '1' } });
    demo = await openDemoPlatform(t);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await t?.close();
  });

  it('the privacy officer verifies identity, exports, downloads, erases and sees the receipt', async () => {
    const patient = await demo.patient(0);

    const page = await signInPage(browser, t.baseUrl, DEMO.privacy, '/');
    await page.click('nav a[href="/dsr"]');
    await page.waitForURL(`${t.baseUrl}/dsr`);

    await page.click('#new-request > summary');
    // The form tells a new privacy officer who the demo platform holds: this very patient (id 1).
    const hint = await page.textContent('#demo-subject');
    expect(hint).toContain(`${patient.first_name} ${patient.last_name}`);
    expect(hint).toContain(patient.email);
    await page.selectOption('#new-request select[name=right]', 'erasure');
    await page.selectOption('#new-request select[name=erasureGround]', 'no_longer_necessary');
    await page.selectOption('#new-request select[name=channel]', 'email');
    await page.fill('#new-request input[name=subjectName]', `${patient.first_name} ${patient.last_name}`);
    await page.fill('#new-request input[name=subjectEmail]', patient.email);
    await page.fill('#new-request input[name=subjectNationalId]', patient.national_id);
    await page.click('#new-request-submit');
    await page.waitForURL(/\/dsr\/[0-9a-f-]{36}$/);
    expect(await page.textContent('#subject-email')).toBe(patient.email);
    expect(await page.getAttribute('#dsr-status', 'data-status')).toBe('received');
    expect(await page.locator('#export-submit').count()).toBe(0);

    await page.selectOption('#verify-form select[name=method]', 'id_document');
    await page.fill('#verify-form input[name=reference]', 'National id card checked at the counter');
    await page.click('#verify-submit');
    await page.waitForSelector('#export-submit');
    expect(await page.textContent('#verification')).toBe('identity document: National id card checked at the counter');

    await page.click('#export-submit');
    await page.waitForSelector('#download-export');
    // Post/redirect/get: reloading the result page shows the same link and does not export again (issue 12).
    const link = await page.getAttribute('#download-export', 'href');
    const sha = await page.textContent('#export code');
    await page.reload();
    expect(await page.getAttribute('#download-export', 'href')).toBe(link);
    expect(await page.textContent('#export code')).toBe(sha);
    expect(await page.textContent('#actions tr[data-kind="export"] td:nth-child(4)')).toBe('1');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-export')]);
    expect(download.suggestedFilename()).toMatch(/^DSR-\d{4}-\d{5}-export\.zip$/);
    const zip = readFileSync((await download.path())!);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    const names = [...(await unzip(zip)).keys()];
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'subject.json']));

    await page.fill('#erase-form input[name=graceDays]', '0');
    await page.click('#erase-submit');
    await page.waitForSelector('#receipt');
    expect(await page.locator('#dsr-error').count()).toBe(0);
    expect(await page.getAttribute('#dsr-status', 'data-status')).toBe('completed');
    expect(await page.textContent('#receipt-totals')).toMatch(
      /\d+ row\(s\) deleted, \d+ anonymised, [1-9]\d* pseudonymised, [1-9]\d* retained\./,
    );
    expect(await page.textContent('#receipt')).not.toContain('No row of the subject remains in any mapped table');
    expect(await page.locator('#remains li[data-method="retain"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#subject-notice').count()).toBe(1);
    expect(await page.locator('#receipt-tables tr[data-rule="retain"]').count()).toBeGreaterThan(0);
    expect(await page.textContent('#backups')).toContain('within the period');
    expect(await page.getAttribute('#receipt-evidence', 'href')).toMatch(/^\/api\/evidence\/[0-9a-f-]{36}\/download$/);

    const after = await demo.client.query('SELECT email, national_id FROM patients WHERE id = $1', [patient.id]);
    expect(after.rows[0]).toEqual({ email: null, national_id: null });
    await page.context().close();
  });
});
