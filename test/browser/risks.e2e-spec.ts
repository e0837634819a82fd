// The risk register in Chromium: the clinical risk owner adds a hazard, adds a risk control with its residual
// assessment, sees the control flagged for missing verification evidence until evidence is linked, sees the
// risk move on the heat map, and completes the quarterly review.
import { DEMO } from '../support/auth';
import { browserApp, describeInBrowser, signInPage } from '../support/browser';

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
});
