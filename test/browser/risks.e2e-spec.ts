// The risk register in Chromium: the clinical risk owner adds a hazard, adds a risk control with its residual
// assessment, sees the control flagged for missing verification evidence until evidence is linked, sees the
// risk move on the heat map, and completes the quarterly review. Each risk form the server refuses (a blank
// field, a control key not in the catalog, a risk changed in the meantime) comes back with its status, what
// was typed and the problem next to its field; corrected, it goes through (post/redirect/get).
import type { Page } from 'playwright-core';
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

/** Clicks a form's submit button and answers the status of the POST it sends. */
async function submit(page: Page, button: string, path: RegExp): Promise<number> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && path.test(new URL(r.url()).pathname)),
    page.click(button),
  ]);
  await page.waitForLoadState();
  return res.status();
}

describeInBrowser('risk register in the browser', () => {
  const ctx = browserApp();

  it('the clinical risk owner adds a hazard and a control, sees the heat map move, and completes the review', async () => {
    const page = await signInPage(ctx.browser, ctx.t.baseUrl, DEMO.owner2, '/');
    await page.click('nav a[href="/risks"]');
    await page.waitForURL(`${ctx.t.baseUrl}/risks`);
    const cell = (which: 'before' | 'after', s: string, p: string) =>
      page.locator(`#heatmap svg g.heatmap-${which} g.cell[data-severity="${s}"][data-probability="${p}"]`);
    expect(await cell('before', 'S3', 'occasional').getAttribute('data-count')).toBe('0');

    await page.click('#add-hazard summary');
    await page.fill('#add-hazard input[name=ref]', 'HAZ-201');
    await page.fill('#add-hazard input[name=product]', 'Triage');
    await page.fill('#add-hazard input[name=title]', 'Triage advice is wrong');
    await page.fill('#add-hazard textarea[name=hazard]', 'Incorrect triage recommendation');
    await page.fill('#add-hazard textarea[name=sequenceOfEvents]', 'Symptom text is misread');
    await page.fill('#add-hazard textarea[name=hazardousSituation]', 'Patient relies on low urgency');
    await page.fill('#add-hazard textarea[name=harm]', 'Delayed treatment');
    await page.selectOption('#add-hazard select[name=severity]', 'S3');
    await page.selectOption('#add-hazard select[name=p1]', 'probable');
    await page.selectOption('#add-hazard select[name=p2]', 'probable');
    await page.click('#add-hazard-submit');
    await page.waitForURL(/\/risks\/[0-9a-f-]{36}$/);
    expect(await page.textContent('#level')).toBe('alara');
    expect(await page.textContent('#residual-level')).toBe('not assessed yet');

    await page.click('#add-control summary');
    await page.selectOption('#add-control select[name=type]', 'protective_measure');
    await page.fill('#add-control textarea[name=description]', 'Escalate red-flag symptoms to a nurse');
    await page.fill('#add-control input[name=controlKey]', 'CLS-02');
    await page.selectOption('#add-control select[name=residualSeverity]', 'S3');
    await page.selectOption('#add-control select[name=residualProbability]', 'improbable');
    await page.click('#add-control-submit');
    await page.waitForSelector('#risk-controls tr[data-control="1"]');
    expect(await page.textContent('#residual-level')).toBe('acceptable');
    expect(await page.locator('#history tr[data-version]').count()).toBe(2);
    // Traceability flags the control: no evidence verifies its implementation or its effectiveness yet.
    expect(
      await page
        .locator('#gaps li[data-control="1"]')
        .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-gap'))),
    ).toEqual(['control_without_implementation_verification', 'control_without_effectiveness_verification']);
    expect(await page.locator('#risk-controls tr[data-control="1"] mark').count()).toBe(2);

    // The owner records the verification (evidence of CLS-02) and links it to the control; the gaps clear.
    const riskId = page.url().split('/').pop()!;
    const evidence = await page.request.post(`${ctx.t.baseUrl}/api/evidence`, {
      data: {
        kind: 'link',
        title: 'Escalation verification',
        url: 'https://wiki.example.com/verification/escalation',
        controls: ['CLS-02'],
        evidenceDate: '2026-11-21',
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
      },
    });
    expect(evidence.status()).toBe(201);
    const evidenceId = (await evidence.json()).id as string;
    const linked = await page.request.patch(`${ctx.t.baseUrl}/api/risks/${riskId}`, {
      data: {
        version: 2,
        controls: [
          {
            type: 'protective_measure',
            description: 'Escalate red-flag symptoms to a nurse',
            controlKey: 'CLS-02',
            implementationEvidence: [evidenceId],
            effectivenessEvidence: [evidenceId],
          },
        ],
      },
    });
    expect(linked.status()).toBe(200);
    await page.reload();
    expect(await page.locator('#gaps li').count()).toBe(0);
    expect(await page.locator('#no-gaps').count()).toBe(1);
    expect(
      await page.locator(`#risk-controls tr[data-control="1"] a[href="/api/evidence/${evidenceId}/download"]`).count(),
    ).toBe(2);

    await page.goto(`${ctx.t.baseUrl}/risks`);
    expect(await cell('before', 'S3', 'occasional').getAttribute('data-count')).toBe('1');
    expect(await cell('before', 'S3', 'occasional').getAttribute('data-level')).toBe('alara');
    expect(await cell('after', 'S3', 'occasional').getAttribute('data-count')).toBe('0');
    expect(await cell('after', 'S3', 'improbable').getAttribute('data-count')).toBe('1');
    expect(await cell('after', 'S3', 'improbable').getAttribute('data-level')).toBe('acceptable');

    await page.fill('#review-form textarea[name=notes]', 'Quarterly review: HAZ-201 controlled');
    await page.click('#complete-review');
    await page.waitForSelector('#reviews tr[data-review]');
    expect(await page.textContent('#reviews tr[data-review] td:nth-child(4)')).toBe(
      'Quarterly review: HAZ-201 controlled',
    );
    expect(await page.textContent('#reviews tr[data-review] td:nth-child(3)')).toBe('1');
    await page.context().close();
  });

  it('shows a refused plan again with what was typed and the blank field named, then saves it', async () => {
    const page = await signInPage(ctx.browser, ctx.t.baseUrl, DEMO.owner2, '/risks?product=Triage');
    await page.waitForURL(`${ctx.t.baseUrl}/risks?product=Triage`);
    await page.click('#edit-plan summary');
    await page.fill('#edit-plan textarea[name=scope]', '   '); // passes the browser's `required`, not the server
    await page.fill('#edit-plan textarea[name=intendedUse]', 'Adults seeking triage advice');
    await page.fill('#edit-plan textarea[name=acceptabilityPolicy]', 'Matrix v1');
    await page.selectOption('#edit-plan select[name=reviewCadence]', 'annual');
    await page.fill('#edit-plan textarea[name=residualRiskStatement]', 'Acceptable overall.');
    expect(await submit(page, '#save-plan', /^\/risks\/plan$/)).toBe(400);
    expect(await page.getAttribute('#edit-plan', 'open')).not.toBeNull();
    expect(await page.textContent('#plan-scope-error')).toBe('Scope is required.');
    expect(await page.getAttribute('#edit-plan textarea[name=scope]', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#edit-plan textarea[name=intendedUse]')).toBe('Adults seeking triage advice');
    expect(await page.inputValue('#edit-plan select[name=reviewCadence]')).toBe('annual');
    expect(await page.inputValue('#edit-plan textarea[name=residualRiskStatement]')).toBe('Acceptable overall.');
    expect(await page.textContent('#plan-missing')).toContain('No risk management plan');

    await page.fill('#edit-plan textarea[name=scope]', 'Triage app 3.x');
    expect(await submit(page, '#save-plan', /^\/risks\/plan$/)).toBe(303);
    await page.waitForURL(`${ctx.t.baseUrl}/risks?product=Triage#plan`);
    expect(await page.textContent('#plan-scope')).toBe('Triage app 3.x');
    expect(await page.textContent('#plan-cadence')).toBe('annual');
    await page.context().close();
  });

  it('shows a review with blank notes again with the notes named, then completes it', async () => {
    const page = await signInPage(ctx.browser, ctx.t.baseUrl, DEMO.owner2, '/risks?register=iso14971');
    await page.waitForURL(`${ctx.t.baseUrl}/risks?register=iso14971`);
    const reviews = await page.locator('#reviews tr[data-review]').count();
    await page.fill('#review-form textarea[name=notes]', '  \n  ');
    expect(await submit(page, '#complete-review', /^\/risks\/reviews$/)).toBe(400);
    expect(await page.textContent('#review-notes-error')).toBe('Notes is required.');
    expect(await page.textContent('#review-error')).toBe('Notes is required.');
    expect(await page.locator('#reviews tr[data-review]').count()).toBe(reviews);

    await page.fill('#review-form textarea[name=notes]', 'Quarterly review: nothing new');
    expect(await submit(page, '#complete-review', /^\/risks\/reviews$/)).toBe(303);
    await page.waitForURL(`${ctx.t.baseUrl}/risks?register=iso14971`);
    expect(await page.locator('#reviews tr[data-review]').count()).toBe(reviews + 1);
    await page.context().close();
  });

  it('shows a refused control again as typed: a key not in the catalog (400), then a risk changed meanwhile (409)', async () => {
    const page = await signInPage(ctx.browser, ctx.t.baseUrl, DEMO.owner2, '/');
    await page.waitForURL(`${ctx.t.baseUrl}/`);
    const created = await page.request.post(`${ctx.t.baseUrl}/api/risks`, {
      data: {
        register: 'iso14971',
        ref: 'HAZ-202',
        product: 'Triage',
        title: 'Reminder not delivered',
        hazard: 'Missed reminder',
        hazardousSituation: 'Patient skips a follow-up',
        harm: 'Late detection of deterioration',
        severity: 'S2',
        probability: 'remote',
      },
    });
    expect(created.status()).toBe(201);
    const risk = (await created.json()) as { id: string; version: number };
    await page.goto(`${ctx.t.baseUrl}/risks/${risk.id}`);
    const controlsPath = new RegExp(`^/risks/${risk.id}/controls$`);

    await page.click('#add-control summary');
    await page.selectOption('#add-control select[name=type]', 'information_for_safety');
    await page.fill('#add-control textarea[name=description]', 'Reminder failures shown in the app');
    await page.fill('#add-control input[name=controlKey]', 'XYZ-99');
    await page.selectOption('#add-control select[name=residualSeverity]', 'S2');
    await page.selectOption('#add-control select[name=residualProbability]', 'improbable');
    expect(await submit(page, '#add-control-submit', controlsPath)).toBe(400);
    expect(await page.textContent('#control-controlKey-error')).toBe('XYZ-99 is not a control in the catalog.');
    expect(await page.inputValue('#add-control select[name=type]')).toBe('information_for_safety');
    expect(await page.inputValue('#add-control textarea[name=description]')).toBe('Reminder failures shown in the app');
    expect(await page.inputValue('#add-control select[name=residualProbability]')).toBe('improbable');
    expect(await page.locator('#risk-controls tr[data-control]').count()).toBe(0);

    // Someone changes the risk while the form is open: the page's version is stale.
    const changed = await page.request.patch(`${ctx.t.baseUrl}/api/risks/${risk.id}`, {
      data: { version: risk.version, title: 'Reminder not delivered on time' },
    });
    expect(changed.status()).toBe(200);
    await page.fill('#add-control input[name=controlKey]', 'CLS-02');
    expect(await submit(page, '#add-control-submit', controlsPath)).toBe(409);
    expect(await page.textContent('#add-control-error')).toContain(`is at version ${risk.version + 1}`);
    expect(await page.inputValue('#add-control input[name=controlKey]')).toBe('CLS-02');
    expect(await page.inputValue('#add-control textarea[name=description]')).toBe('Reminder failures shown in the app');
    expect(await page.textContent('h1')).toContain('Reminder not delivered on time'); // the risk as it is now

    expect(await submit(page, '#add-control-submit', controlsPath)).toBe(303);
    await page.waitForURL(`${ctx.t.baseUrl}/risks/${risk.id}`);
    expect(await page.textContent('#risk-controls tr[data-control="1"]')).toContain(
      'Reminder failures shown in the app',
    );
    expect(await page.textContent('#residual-level')).toBe('acceptable');
    await page.context().close();
  });
});
