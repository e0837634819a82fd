// The incident register in Chromium (issue 16): the compliance manager reports a breach through the form
// (aware 72.5 hours ago); the privacy officer opens it from the register, assesses it as high risk,
// downloads the notification draft (a PDF), records the notice to the PDPC Office sent at 71 hours (a notice
// before awareness is refused next to its field, the input kept) and sees the Office clock met; the
// compliance manager adds a CAPA, accepts it, writes the review and closes the SEV2. Nothing runs off the
// right edge at 390 px or 1280 px. A clinical owner raises a hazard from an adverse event and corrects its
// facts (a field safety corrective action started).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

const HOUR = 3_600_000;
/** A `datetime-local` value in Bangkok (the test app's compliance zone, UTC+7 all year). */
const local = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 16);
/** Screenshots for a person to look at, when SCREENSHOT_DIR is set. */
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOT_DIR)
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

async function fitsWidth(browser: Browser, cookiesFrom: Page, url: string, width: number): Promise<number> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.addCookies(await cookiesFrom.context().cookies());
  const page = await context.newPage();
  await page.goto(url);
  await shot(page, `${url.split('/').slice(3).join('-') || 'home'}-${width}`);
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
  await context.close();
  return scrollWidth;
}

describeInBrowser('incident register in the browser', () => {
  const ctx = browserApp();

  it('a breach is assessed, its draft downloaded, the Office told at 71 h (clock met), then reviewed and closed', async () => {
    const base = ctx.t.baseUrl;
    const awareMs = Math.floor((Date.now() - 72.5 * HOUR) / 60_000) * 60_000;

    // The compliance manager reports it through the form.
    const manager = await signInPage(ctx.browser, base, DEMO.compliance, '/incidents');
    await manager.click('nav a[href="/incidents"]');
    await manager.click('#report-incident');
    await manager.waitForURL(`${base}/incidents/new`);
    await manager.fill('#report-form input[name=title]', 'Lab results e-mailed to the wrong patients');
    await manager.fill('#report-form textarea[name=description]', 'A batch job sent 40 letters to old addresses.');
    await manager.selectOption('#report-form select[name=severity]', 'SEV2');
    await manager.check('#report-form input[name=categories][value=personal_data_breach]');
    await manager.check('#report-form input[name=categories][value=security]');
    await manager.fill('#report-form input[name=detectedAt]', local(awareMs));
    await manager.fill('#report-form input[name=awareAt]', local(awareMs));
    await manager.fill('#report-form input[name=affectedSystems]', 'mailer, lab-portal');
    await shot(manager, 'incident-new');
    await manager.click('#report-submit');
    await manager.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    const incidentUrl = manager.url();
    expect(await manager.textContent('#incident-status')).toBe('detect');

    // The privacy officer finds it on the register, with the Office clock late by about half an hour.
    const privacy = await signInPage(ctx.browser, base, DEMO.privacy, '/incidents');
    await privacy.waitForURL(`${base}/incidents`);
    const row = privacy.locator('#incidents tr[data-severity="SEV2"]', { hasText: 'Lab results e-mailed' });
    expect(await row.locator('li[data-clock="breach_office"]').getAttribute('data-state')).toBe('overdue');
    expect(await row.locator('li[data-clock="breach_office"] .clock').textContent()).toMatch(/^late by \d+ m$/);
    await shot(privacy, 'incidents');
    await row.locator('a').first().click();
    await privacy.waitForURL(incidentUrl);

    await privacy.click('#assess summary');
    await privacy.check('#assessment-form input[name=types][value=confidentiality]');
    await privacy.fill('#assessment-form input[name=dataCategories]', 'lab results, contact details');
    await privacy.check('#assessment-form input[name=sensitive]');
    await privacy.fill('#assessment-form input[name=subjectsApprox]', '40');
    await privacy.fill('#assessment-form input[name=recordsApprox]', '40');
    for (const factor of ['nature', 'dataTypeAndVolume', 'subjectVulnerability', 'consequenceSeverity', 'widerEffects'])
      await privacy.selectOption(`#assessment-form select[name=${factor}Level]`, 'high');
    await privacy.selectOption('#assessment-form select[name=safeguardsLevel]', 'medium');
    await privacy.fill('#assessment-form input[name=safeguardsNote]', 'letters were not encrypted');
    await privacy.fill('#assessment-form textarea[name=likelyConsequences]', 'Health data seen by other patients.');
    await privacy.fill('#assessment-form textarea[name=measuresTaken]', 'Job stopped; recipients asked to delete.');
    await privacy.selectOption('#assessment-form select[name=decision]', 'high_risk');
    await privacy.fill(
      '#assessment-form textarea[name=reasons]',
      'Health data of identifiable patients reached others.',
    );
    await privacy.click('#assessment-submit');
    await privacy.waitForSelector('#assessment-decision[data-decision="high_risk"]');

    const [download] = await Promise.all([privacy.waitForEvent('download'), privacy.click('#download-draft')]);
    expect(download.suggestedFilename()).toMatch(/^INC-\d{4}-breach-notice-draft\.pdf$/);
    expect(
      readFileSync((await download.path())!)
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    // A notice "sent" before awareness is refused next to its field, with what was typed kept.
    await privacy.click('#record-notice summary');
    await privacy.selectOption('#notice-form select[name=kind]', 'pdpc_office');
    await privacy.fill('#notice-form input[name=sentAt]', local(awareMs - HOUR));
    await privacy.fill('#notice-form input[name=channel]', 'PDPC e-service');
    await privacy.fill('#notice-form input[name=reference]', 'PDPC-2026-0042');
    await privacy.click('#notice-submit');
    await privacy.waitForSelector('#sentAt-error');
    expect(await privacy.inputValue('#notice-form input[name=channel]')).toBe('PDPC e-service');
    expect(await privacy.inputValue('#notice-form input[name=sentAt]')).toBe(local(awareMs - HOUR));

    await privacy.fill('#notice-form input[name=sentAt]', local(awareMs + 71 * HOUR));
    await privacy.click('#notice-submit');
    await privacy.waitForURL(`${incidentUrl}#notices`);
    const office = privacy.locator('#clocks tr[data-clock="breach_office"]');
    expect(await office.getAttribute('data-state')).toBe('met');
    expect(await office.locator('.clock').textContent()).toBe('met');
    expect(await privacy.locator('#notices tr[data-kind="pdpc_office"]').count()).toBe(1);
    await shot(privacy, 'incident');
    // A reload of the page after the form runs nothing again (post/redirect/get).
    await privacy.reload();
    expect(await privacy.locator('#notices tr[data-kind="pdpc_office"]').count()).toBe(1);

    // The compliance manager: a CAPA, accepted; the review; closed.
    await manager.reload();
    const me = (await (await manager.request.get(`${base}/api/me`)).json()) as { id: string };
    await manager.click('#add-capa summary');
    await manager.fill('#capa-form input[name=title]', 'Validate addresses before a batch mailing');
    await manager.selectOption('#capa-form select[name=ownerUserId]', me.id);
    await manager.fill('#capa-form input[name=dueOn]', '2026-12-31');
    await manager.click('#capa-submit');
    await manager.waitForSelector('#capas tr[data-status="open"]');
    await manager.click('#capas tr[data-status="open"] details.close-capa summary');
    // The evidence that verifies a CAPA is picked by its title from the newest items the manager may read.
    expect(await manager.getAttribute('#capas tr[data-status="open"] input[name=verificationEvidenceId]', 'list')).toBe(
      'capa-evidence-options',
    );
    const current = (await (await manager.request.get(`${base}/api/evidence?current=true&limit=1`)).json()) as {
      total: number;
    };
    expect(await manager.locator('#capa-evidence-options option').count()).toBe(Math.min(200, current.total));
    await manager.selectOption('#capas tr[data-status="open"] select[name=status]', 'accepted');
    await manager.fill('#capas tr[data-status="open"] input[name=note]', 'Mailer replaced next quarter');
    await manager.click('#capas tr[data-status="open"] button[type=submit]');
    await manager.waitForSelector('#capas tr[data-status="accepted"]');

    await manager.click('#write-review summary');
    await manager.fill('#review-form textarea[name=cause]', 'The address book was not refreshed.');
    await manager.fill('#review-form textarea[name=wentWell]', 'Stopped within the hour.');
    await manager.fill('#review-form textarea[name=toChange]', 'Validate addresses first.');
    await manager.click('#review-submit');
    await manager.waitForSelector('#review-text');

    await manager.click('#change summary');
    await manager.selectOption('#change-form select[name=status]', 'closed');
    await manager.click('#change-submit');
    await manager.waitForSelector('#incident-status[data-status="closed"]');
    expect(await manager.locator('#change-form').count()).toBe(0);

    for (const width of [390, 1280])
      for (const url of [`${base}/incidents?show=all`, incidentUrl, `${base}/incidents/new`])
        expect(await fitsWidth(ctx.browser, manager, url, width)).toBeLessThanOrEqual(width);
    await manager.context().close();
    await privacy.context().close();
  }, 180_000);

  it('a clinical owner raises a new hazard from an adverse event; a refused form keeps what was typed', async () => {
    const base = ctx.t.baseUrl;
    const reporter = await signInPage(ctx.browser, base, DEMO.viewer, '/incidents/new');
    await reporter.fill('#report-form input[name=title]', 'Triage score shown for the wrong patient');
    await reporter.fill('#report-form textarea[name=description]', 'Two tabs open; the score followed the old tab.');
    await reporter.selectOption('#report-form select[name=severity]', 'SEV2');
    await reporter.check('#report-form input[name=categories][value=clinical_safety]');
    await reporter.selectOption(
      '#report-form select[name=adverseEventCategory]',
      'could_cause_death_or_serious_injury',
    );
    await reporter.click('#report-submit');
    await reporter.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    const incidentUrl = reporter.url();
    expect(await reporter.locator('#raise-risk').count()).toBe(0); // the reporter may not change it
    await reporter.context().close();

    const owner = await signInPage(ctx.browser, base, DEMO.owner2, new URL(incidentUrl).pathname);
    await owner.waitForURL(incidentUrl);
    await owner.click('#raise-risk summary');
    expect(await owner.inputValue('#risk-form input[name=title]')).toBe('Triage score shown for the wrong patient');
    await owner.fill('#risk-form input[name=ref]', 'HAZ-951');
    await owner.fill('#risk-form input[name=product]', 'Attest Triage app');
    await owner.fill('#risk-form textarea[name=hazard]', 'Score of another patient displayed');
    await owner.fill('#risk-form textarea[name=hazardousSituation]', 'Clinician triages on the wrong score');
    await owner.selectOption('#risk-form select[name=severity]', 'S4');
    await owner.selectOption('#risk-form select[name=probability]', 'remote');
    await owner.click('#risk-submit'); // harm left empty: refused next to its field, the rest kept
    await owner.waitForSelector('#risk-form textarea[name=harm][aria-invalid=true]');
    expect(await owner.inputValue('#risk-form input[name=ref]')).toBe('HAZ-951');
    expect(await owner.inputValue('#risk-form select[name=severity]')).toBe('S4');
    await owner.fill('#risk-form textarea[name=harm]', 'Delayed treatment of a deteriorating patient');
    await owner.click('#risk-submit');
    await owner.waitForURL(`${incidentUrl}#risks`);
    expect(await owner.locator('#risk-list tr', { hasText: 'HAZ-951' }).count()).toBe(1);
    expect(await owner.locator('#timeline li, #timeline tr', { hasText: 'New hazard HAZ-951' }).count()).toBe(1);
    await shot(owner, 'incident-risk');
    await owner.reload(); // post/redirect/get: nothing is raised twice
    expect(await owner.locator('#risk-list tr[data-risk]').count()).toBe(1);
    // The facts as reported are corrected on the page: a field safety corrective action started this minute.
    await owner.click('#correct-facts summary');
    expect(await owner.inputValue('#facts-form input[name=title]')).toBe('Triage score shown for the wrong patient');
    expect(await owner.inputValue('#facts-form input[name=fscaStartedAt]')).toBe('');
    await owner.fill('#facts-form input[name=fscaStartedAt]', local(Math.floor(Date.now() / 60_000) * 60_000));
    await shot(owner, 'incident-facts');
    await owner.click('#facts-submit');
    await owner.waitForURL(`${incidentUrl}#facts`);
    expect(await owner.textContent('#fsca')).toMatch(/^started /);
    await owner.click('#risk-list a');
    await owner.waitForURL(/\/risks\/[0-9a-f-]{36}$/);
    expect(await owner.textContent('h1')).toContain('HAZ-951');
    await owner.context().close();
  }, 120_000);
});
