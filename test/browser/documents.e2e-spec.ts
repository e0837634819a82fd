// Controlled documents in Chromium (issue 17): a control owner (engineering) creates a procedure through the
// "new document" form (a bad key is refused next to its field, the input kept), writes its first version in
// Markdown (hostile HTML in it shows as text) and submits it; they sign it for their department and the
// compliance manager signs it with the password again (a wrong password is refused with a clear error, the
// chosen meaning kept) and publishes it; an employee in the audience finds it on "my acknowledgements",
// reads it and acknowledges it; the document's roster then shows the acknowledgement, and its CSV too; an
// audit pack built for the period lists the procedure in its policy index with that acknowledgement counted.
// Nothing runs off the right edge at 1280 px.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { dayOf } from '../../src/common/time/days';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

/** Screenshots for a person to look at, when SCREENSHOT_DIR is set. */
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR)
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

async function scrollWidthAt(browser: Browser, cookiesFrom: Page, url: string, width: number): Promise<number> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.addCookies(await cookiesFrom.context().cookies());
  const page = await context.newPage();
  await page.goto(url);
  await shot(page, `${url.split('/').slice(3).join('-').replace(/[?&=]/g, '_')}-${width}`);
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
  await context.close();
  return scrollWidth;
}

const KEY = 'PRC-ONCALL';
const CONTENT = [
  '# On-call procedure',
  '',
  'Engineering keeps one person **on call** around the clock.',
  '',
  '- Page within 15 minutes; see [the runbook](https://runbooks.example.com/oncall).',
  '- Hand over every Monday at 09:00 Asia/Bangkok.',
  '',
  '<script>window.pwned = true</script> <img src=x onerror="window.pwned = true">',
  '[do not click](javascript:window.pwned=true)',
].join('\n');

describeInBrowser('controlled documents in the browser', () => {
  const ctx = browserApp();

  it('an owner drafts a procedure, it is signed and published, an employee acknowledges it, the roster shows it', async () => {
    const base = ctx.t.baseUrl;
    const docUrl = `${base}/documents/${KEY}`;

    // The control owner creates the document: a bad key is refused next to its field, what was typed kept.
    const owner = await signInPage(ctx.browser, base, DEMO.owner, '/');
    await owner.waitForURL(`${base}/`);
    await owner.click('nav a[href="/documents"]');
    await owner.waitForURL(`${base}/documents`);
    await owner.click('#new-document summary');
    await owner.fill('#new-document-form input[name=key]', 'on call');
    await owner.fill('#new-document-form input[name=title]', 'On-call procedure');
    await owner.selectOption('#new-document-form select[name=type]', 'procedure');
    await owner.check('#new-document-form input[name=roles][value=viewer]');
    await owner.check('#new-document-form input[name=departments][value=engineering]');
    await owner.fill('#new-document-form input[name=controls]', 'eng-02');
    await shot(owner, 'documents-new');
    await owner.click('#new-document-submit');
    await owner.waitForSelector('#key-error');
    expect(await owner.textContent('#key-error')).toMatch(/POL-ISMS/);
    expect(await owner.inputValue('#new-document-form input[name=title]')).toBe('On-call procedure');
    expect(await owner.isChecked('#new-document-form input[name=roles][value=viewer]')).toBe(true);
    await owner.fill('#new-document-form input[name=key]', KEY);
    await owner.click('#new-document-submit');
    await owner.waitForURL(docUrl);
    expect(await owner.textContent('#document-status')).toBe('not yet published');
    expect(await owner.textContent('#audience')).toBe('viewers, Engineering');

    // Its first version, in Markdown, then submitted for approval.
    await owner.click('#new-version summary');
    await owner.fill('#version-form textarea[name=content]', CONTENT);
    await owner.fill('#version-form input[name=changeSummary]', 'First issue');
    expect(await owner.isChecked('#version-form input[name=material]')).toBe(true);
    await owner.click('#version-submit');
    await owner.waitForURL(`${docUrl}#open-version-1`);
    expect(await owner.textContent('#open-status')).toBe('draft');
    // Hostile HTML is shown as text: no script ran, no image with an onerror, no javascript: link.
    const content = owner.locator('#open-content article.markdown');
    expect(await content.locator('h1').textContent()).toBe('On-call procedure');
    expect(await content.textContent()).toContain('<script>window.pwned = true</script>');
    expect(await content.locator('script, img').count()).toBe(0);
    expect(await content.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await owner.evaluate('window.pwned')).toBeUndefined();
    await owner.click('#submit-for-approval');
    await owner.waitForURL(`${docUrl}#open-version-1`);
    expect(await owner.textContent('#open-status')).toBe('in review');
    expect(await owner.locator('#edit-form').count()).toBe(0);

    // The owner department's approval: the owner signs with the password again.
    await owner.check('#sign-form input[name=meaning][value=approved]');
    await owner.fill('#sign-form input[name=password]', 'attest-demo');
    await owner.click('#sign-submit');
    await owner.waitForURL(`${docUrl}#open-version-1`);
    expect(await owner.textContent('#approvals-needed')).toMatch(/still missing: a compliance manager/);

    // The compliance manager: a wrong password first (refused, the chosen meaning kept), then the right one.
    const manager = await signInPage(ctx.browser, base, DEMO.compliance, `/documents/${KEY}`);
    await manager.waitForURL(docUrl);
    await manager.check('#sign-form input[name=meaning][value=reviewed]');
    await manager.fill('#sign-form input[name=password]', 'not-my-password');
    await manager.click('#sign-submit');
    await manager.waitForSelector('#password-error');
    expect(await manager.textContent('#password-error')).toMatch(/password is not yours: nothing was signed/);
    expect(await manager.isChecked('#sign-form input[name=meaning][value=reviewed]')).toBe(true);
    expect(await manager.inputValue('#sign-form input[name=password]')).toBe('');
    await shot(manager, 'document-sign-refused');
    await manager.check('#sign-form input[name=meaning][value=approved]');
    await manager.fill('#sign-form input[name=password]', 'attest-demo');
    await manager.click('#sign-submit');
    await manager.waitForURL(`${docUrl}#open-version-1`);
    expect(await manager.textContent('#open-status')).toBe('approved');
    const signatures = manager.locator('#open-signatures tbody tr');
    expect(await signatures.count()).toBe(2);
    expect(await signatures.allTextContents()).toEqual([
      expect.stringMatching(/Somchai Jaidee.*approved.*valid/),
      expect.stringMatching(/Chanida Srisuk.*approved.*valid/),
    ]);
    await manager.click('#publish-submit');
    await manager.waitForURL(docUrl);
    expect(await manager.textContent('#document-status')).toBe('in force (v1)');
    expect(await manager.locator('#shown-version h2').textContent()).toBe('In force: version 1');
    expect(await manager.locator('#shown-signatures tbody tr[data-valid="true"]').count()).toBe(2);
    const pending = Number(await manager.textContent('#roster-pending'));
    expect(pending).toBeGreaterThanOrEqual(2); // the viewer role and the engineering department

    // An employee in the audience (the viewer role) finds it on "my acknowledgements", reads it, acknowledges.
    const viewer = await signInPage(ctx.browser, base, DEMO.viewer, '/');
    await viewer.waitForURL(`${base}/`);
    await viewer.click('#my-acknowledgements-link');
    await viewer.waitForURL(`${base}/me/acknowledgements`);
    const task = viewer.locator(`#to-acknowledge article[data-document="${KEY}"]`);
    expect(await task.getAttribute('data-status')).toBe('pending');
    await shot(viewer, 'my-acknowledgements');
    await task.locator('a.read-version').click();
    await viewer.waitForURL(`${docUrl}?version=1`);
    expect(await viewer.locator('#version-content h1').textContent()).toBe('On-call procedure');
    expect(await viewer.locator('#roster').count()).toBe(0);
    await viewer.goBack();
    await viewer.locator(`#to-acknowledge article[data-document="${KEY}"] button.acknowledge`).click();
    await viewer.waitForURL(/\/me\/acknowledgements#acknowledgement-/);
    expect(await viewer.locator(`#to-acknowledge article[data-document="${KEY}"]`).count()).toBe(0);
    expect(await viewer.locator(`#acknowledged tr[data-document="${KEY}"]`).getAttribute('data-status')).toBe(
      'acknowledged',
    );
    expect(await viewer.locator('#nothing-to-acknowledge').count()).toBe(1);

    // The roster on the document page shows it; its CSV too.
    await manager.goto(docUrl);
    expect(await manager.textContent('#roster-acknowledged')).toBe('1');
    expect(await manager.textContent('#roster-pending')).toBe(String(pending - 1));
    const row = manager.locator('#roster tr', { hasText: 'Vipa Viewer' });
    expect(await row.getAttribute('data-status')).toBe('acknowledged');
    const csv = await manager.request.get(`${base}${await manager.getAttribute('#roster-csv', 'href')}`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toMatch(/Vipa Viewer.*acknowledged/);
    await shot(manager, 'document');

    // A pack built for the period lists the procedure in its policy index, with the acknowledgement counted.
    const today = dayOf(new Date());
    const requested = await manager.request.post(`${base}/api/packs`, {
      data: { framework: 'soc2', from: today, to: today },
    });
    expect(requested.status()).toBe(202);
    const packId = ((await requested.json()) as { id: string }).id;
    expect(await ctx.t.app.get(PackBuilder).buildNow(packId)).toMatchObject({ status: 'done' });
    await manager.goto(`${base}/audit/packs/${packId}`);
    const pdf = await manager.request.get(`${base}${await manager.getAttribute('#download-pdf', 'href')}`);
    expect(pdf.status()).toBe(200);
    const pdfPath = join(mkdtempSync(join(tmpdir(), 'attest-doc-pack-')), 'pack.pdf');
    writeFileSync(pdfPath, await pdf.body());
    const packText = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' });
    const index = packText
      .slice(packText.lastIndexOf('Controlled documents with a version in force'))
      .replace(/\s+/g, ' ');
    expect(index).toContain(`${KEY} v1`);
    expect(index).toMatch(new RegExp(`1 of ${pending} \\(`));
    rmSync(dirname(pdfPath), { recursive: true, force: true });

    // The owner starts version 2 from version 1's text; the diff view shows what changed, line by line.
    await owner.goto(docUrl);
    await owner.click('#new-version summary');
    expect(await owner.inputValue('#version-form textarea[name=content]')).toBe(CONTENT);
    await owner.fill(
      '#version-form textarea[name=content]',
      CONTENT.replace('within 15 minutes', 'within 10 minutes').replace('09:00', '10:00'),
    );
    await owner.fill('#version-form input[name=changeSummary]', 'Faster paging');
    await owner.click('#version-submit');
    await owner.waitForURL(`${docUrl}#open-version-2`);
    expect(await owner.textContent('#open-status')).toBe('draft');
    await owner.click('#versions tr[data-version="2"] a[href*="diff=2"]');
    await owner.waitForURL(`${docUrl}?diff=2&against=1#diff`);
    expect(await owner.locator('#diff tr[data-kind="removed"] .diff-text').allTextContents()).toEqual([
      '- Page within 15 minutes; see [the runbook](https://runbooks.example.com/oncall).',
      '- Hand over every Monday at 09:00 Asia/Bangkok.',
    ]);
    expect(await owner.locator('#diff tr[data-kind="added"]').count()).toBe(2);
    await shot(owner, 'document-diff');

    // Nothing runs off the right edge at 1280 px.
    for (const url of [`${base}/documents`, docUrl])
      expect(await scrollWidthAt(ctx.browser, manager, url, 1280)).toBeLessThanOrEqual(1280);
    expect(await scrollWidthAt(ctx.browser, viewer, `${base}/me/acknowledgements`, 1280)).toBeLessThanOrEqual(1280);
  }, 180_000);
});
