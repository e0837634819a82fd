// Releases in Chromium (issue 18): CI (an engineering user's API token) creates a release and attaches a
// passing test report, an SBOM and clean scans; QA and the safety reviewer sign over the API; the clinical
// lead then opens the release page, sees it not approved with the clause 9 review missing, generates the
// ISO 14971 clause 9 report, is refused for a wrong password (the error next to the field, nothing signed),
// signs with the right one, and the page and the list show the release approved. Refreshing after signing
// repeats nothing. Nothing runs off the right edge at 1280 px.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { client, DEMO, login } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR)
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'releases', name));
const CLEAN_NPM_AUDIT = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {},
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } },
});

describeInBrowser('releases in the browser', () => {
  const ctx = browserApp();

  it('the clinical lead signs the clause 9 gate and the release shows approved', async () => {
    const base = ctx.t.baseUrl;
    const owner = client(base, await login(base, DEMO.owner));
    const token: string = (await owner('POST', '/api/tokens', { name: 'ci', expiresInDays: 30 })).json.token;
    const ci = client(base, token);
    const created = await ci('POST', '/api/releases', {
      product: 'hms',
      version: '5.2.0',
      commit: '9e8d7c6b5a40',
      builtAt: new Date().toISOString(),
    });
    expect(created.status).toBe(201);
    const attach = async (kind: string, bytes: Buffer | string, name: string) => {
      const form = new FormData();
      form.append('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]), name);
      const res = await fetch(`${base}/api/releases/hms/5.2.0/attachments/${kind}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect([kind, res.status]).toEqual([kind, 201]);
    };
    await attach('test_report', fixture('junit-passing.xml'), 'junit.xml');
    await attach('sbom', fixture('sbom-1.json'), 'bom.json');
    await attach('secret_scan', '[]', 'gitleaks.json');
    await attach('npm_audit', CLEAN_NPM_AUDIT, 'npm-audit.json');
    const quality = client(base, await login(base, DEMO.quality));
    expect((await owner('POST', '/api/releases/hms/5.2.0/gates/qa/sign', { password: DEMO_PASSWORD })).status).toBe(
      201,
    );
    expect(
      (await quality('POST', '/api/releases/hms/5.2.0/gates/safety_review/sign', { password: DEMO_PASSWORD })).status,
    ).toBe(201);
    const owner2 = client(base, await login(base, DEMO.owner2));
    expect(
      (await owner2('POST', '/api/releases/hms/5.2.0/gates/clinical_signoff/sign', { password: DEMO_PASSWORD })).status,
    ).toBe(201);

    // The clinical lead finds the release from the menu; it is not approved, the clause 9 review missing.
    const lead = await signInPage(ctx.browser, base, DEMO.owner2, '/');
    await lead.waitForURL(`${base}/`);
    await lead.click('#more-menu > summary'); // Releases sit under the header's "More"
    await lead.click('#more-menu a[href="/releases"]');
    await lead.waitForURL(`${base}/releases`);
    expect(await lead.getAttribute('#releases tr[data-version="5.2.0"]', 'data-approved')).toBe('false');
    await lead.click('#releases a:has-text("5.2.0")');
    await lead.waitForURL(`${base}/releases/hms/5.2.0`);
    expect(await lead.getAttribute('#decision', 'data-approved')).toBe('false');
    expect(
      await lead.locator('#missing-gates li').evaluateAll((li) => li.map((l) => l.getAttribute('data-gate'))),
    ).toEqual(['iso14971_clause9']);
    // No sign form before the report exists; generating it shows its link and hash.
    expect(await lead.locator('#sign-iso14971_clause9-form').count()).toBe(0);
    await expect(lead.locator('#sign-iso14971_clause9-waits').count()).resolves.toBe(1);
    await lead.click('#generate-risk-report');
    await lead.waitForURL(`${base}/releases/hms/5.2.0#risk-report`);
    expect(await lead.locator('#risk-report-link').count()).toBe(1);
    await shot(lead, 'release-before-signing');

    // A wrong password: refused next to the field, nothing signed.
    await lead.fill('#sign-iso14971_clause9-form input[name=password]', 'not-my-password');
    await lead.click('#sign-iso14971_clause9-submit');
    await lead.waitForSelector('#sign-iso14971_clause9-password-error');
    expect(await lead.textContent('#sign-iso14971_clause9-password-error')).toContain('password');
    expect(await lead.inputValue('#sign-iso14971_clause9-form input[name=password]')).toBe('');
    expect(await lead.getAttribute('#decision', 'data-approved')).toBe('false');

    // The right password: the release is approved, here and in the list.
    await lead.fill('#sign-iso14971_clause9-form input[name=password]', DEMO_PASSWORD);
    await lead.click('#sign-iso14971_clause9-submit');
    await lead.waitForURL(`${base}/releases/hms/5.2.0#gate-iso14971_clause9`);
    expect(await lead.getAttribute('#decision', 'data-approved')).toBe('true');
    expect(await lead.getAttribute('#gate-iso14971_clause9', 'data-passed')).toBe('true');
    expect(await lead.textContent('#gate-iso14971_clause9')).toContain('Dr. Naree Wongsa');
    await shot(lead, 'release-approved');
    // post/redirect/get: a refresh repeats nothing (one clause 9 signature).
    await lead.reload();
    expect(await lead.locator('#signatures tr[data-gate="iso14971_clause9"]').count()).toBe(1);
    const width = await lead.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(1280);
    await lead.goto(`${base}/releases`);
    expect(await lead.getAttribute('#releases tr[data-version="5.2.0"]', 'data-approved')).toBe('true');
    expect((await ci('GET', '/api/releases/hms/5.2.0/decision')).json).toEqual(
      expect.objectContaining({ approved: true, missing: [] }),
    );
  }, 180_000);
});
