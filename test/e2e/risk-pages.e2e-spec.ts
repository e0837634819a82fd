// The risk pages over HTTP as the clinical risk owner: the register with filters and the SVG heat maps,
// adding a hazard and a risk control through the forms, the risk page with levels, controls and history.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { csrfToken } from '../support/forms';

let t: TestApp;
let owner2: ReturnType<typeof client>;
let owner: ReturnType<typeof client>;
let viewer: ReturnType<typeof client>;

let owner2Cookie: string;

/** Posts a form as the browser does (urlencoded), without following the redirect. */
async function postForm(path: string, fields: Record<string, string>) {
  const res = await fetch(t.baseUrl + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: owner2Cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, _csrf: await csrfToken(t.baseUrl, owner2Cookie) }).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  owner2Cookie = await login(t.baseUrl, DEMO.owner2);
  owner2 = client(t.baseUrl, owner2Cookie);
  owner = client(t.baseUrl, await login(t.baseUrl, DEMO.owner));
  viewer = client(t.baseUrl, await login(t.baseUrl, DEMO.viewer));
});
afterAll(async () => t?.close());

const cell = (html: string, which: 'before' | 'after', s: string, p: string) => {
  const map = html.slice(html.indexOf(`<g class="heatmap-${which}"`));
  const m = map.match(
    new RegExp(
      `<g class="cell" data-severity="${s}" data-probability="${p}" data-level="([a-z]*)" data-count="(\\d+)">`,
    ),
  );
  return m ? { level: m[1], count: Number(m[2]) } : null;
};

describe('the clinical risk owner', () => {
  let riskId: string;

  it('sees the menu entry and an empty register with both heat maps', async () => {
    const page = await owner2('GET', '/risks');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/risks" aria-current="page">Risks</a>');
    expect(page.text).toContain('<svg xmlns="http://www.w3.org/2000/svg" role="img"');
    expect(page.text).toContain(
      '<title id="heatmap-iso14971-title">ISO 14971 register: risks per cell before and after controls</title>',
    );
    expect(cell(page.text, 'before', 'S3', 'occasional')).toEqual({ level: 'alara', count: 0 });
    // Probability levels are words: P1 and P2 are the Annex C factors the form asks for, never level names.
    expect(page.text).toContain(
      '<select name="p1"><option value="">—</option><option value="improbable">Improbable</option><option value="remote">Remote</option>',
    );
    expect(page.text).not.toMatch(/value="P[1-5]"/);
    expect(cell(page.text, 'before', 'S5', 'remote')).toEqual({ level: 'unacceptable', count: 0 }); // death at up to 1e-3 per use
    expect(page.text).toContain('id="add-hazard"');
  });

  it('adds a hazard through the form and lands on its page with the computed level', async () => {
    const res = await postForm('/risks', {
      register: 'iso14971',
      ref: 'HAZ-101',
      product: 'Triage',
      title: 'Wrong <triage> advice',
      hazard: 'Incorrect recommendation',
      sequenceOfEvents: 'Symptoms misread',
      hazardousSituation: 'Patient relies on it',
      harm: 'Delayed treatment',
      severity: 'S3',
      p1: 'probable',
      p2: 'probable',
      probability: '',
    });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/risks\/[0-9a-f-]{36}$/);
    riskId = res.location!.split('/')[2];
    const page = await owner2('GET', res.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Wrong &lt;triage&gt; advice');
    expect(page.text).toMatch(/<td id="level" class="level-alara">alara<\/td>/);
    expect(page.text).toContain('<small id="residual-level">not assessed yet</small>');
    expect(page.text).toMatch(/<tr data-version="1">.*created<\/td><\/tr>/);
  });

  it('adds a risk control with a residual assessment; the page shows it and a new version, the heat map moves', async () => {
    const res = await postForm(`/risks/${riskId}/controls`, {
      version: '1',
      type: 'protective_measure',
      description: 'Escalate red-flag symptoms to a nurse',
      controlKey: '',
      implementationEvidence: '',
      effectivenessEvidence: '',
      residualSeverity: 'S3',
      residualProbability: 'improbable',
    });
    expect(res.status).toBe(303);
    const page = await owner2('GET', `/risks/${riskId}`);
    expect(page.text).toContain('Escalate red-flag symptoms to a nurse');
    expect(page.text).toContain('protective measure');
    expect(page.text).toMatch(/<td id="residual-level" class="level-acceptable">acceptable<\/td>/);
    expect(page.text).toMatch(/<tr data-version="2">.*residual.*<\/tr>/);
    // The control has no verification evidence: the page's traceability section flags it (control 1).
    expect(page.text).toContain(
      '<li data-gap="control_without_implementation_verification" data-control="1"><mark>gap</mark> control 1 has no evidence verifying its implementation</li>',
    );
    expect(page.text).not.toContain('id="no-gaps"');
    const risk = await owner2('GET', `/api/risks/${riskId}`);
    expect(risk.json).toMatchObject({
      version: 2,
      residualLevel: 'acceptable',
      controls: [
        { type: 'protective_measure', controlKey: null, implementationEvidence: [], effectivenessEvidence: [] },
      ],
    });
    const register = await owner2('GET', '/risks');
    expect(cell(register.text, 'before', 'S3', 'occasional')).toEqual({ level: 'alara', count: 1 });
    expect(cell(register.text, 'after', 'S3', 'improbable')).toEqual({ level: 'acceptable', count: 1 });
    expect(register.text).toMatch(/<tr data-ref="HAZ-101" data-level="alara">/);
  });

  it('gets a 409 when the form was read before the risk moved on, and nothing changes', async () => {
    const res = await postForm(`/risks/${riskId}/controls`, {
      version: '1',
      type: 'information_for_safety',
      description: 'Warning in the app',
    });
    expect(res.status).toBe(409);
    expect((await owner2('GET', `/api/risks/${riskId}`)).json.controls).toHaveLength(1);
    // The risk's page again, as it is now (version 2 in the form), with the control as typed and why.
    expect(res.text).toMatch(/<details id="add-control" open>/);
    expect(res.text).toContain('Warning in the app</textarea>');
    expect(res.text).toMatch(/<option value="information_for_safety" selected>/);
    expect(res.text).toContain('name="version" value="2"');
    expect(res.text).toMatch(/id="add-control-error">The risk is at version 2, not 1/);
  });

  it('filters the register by status, level and owner', async () => {
    expect((await owner2('GET', '/risks?register=iso14971&status=open&level=alara&owner=me&q=')).text).toContain(
      'data-ref="HAZ-101"',
    );
    expect((await owner2('GET', '/risks?status=closed')).text).not.toContain('data-ref="HAZ-101"');
    expect((await owner2('GET', '/risks?level=unacceptable')).text).not.toContain('data-ref="HAZ-101"');
    expect((await owner2('GET', '/risks?status=bogus')).status).toBe(400);
  });

  it('refuses a form with a bad field and creates nothing', async () => {
    const res = await postForm('/risks', {
      register: 'iso14971',
      ref: 'bad ref',
      product: 'Triage',
      title: 't',
      severity: 'S4',
      probability: 'remote',
    });
    expect(res.status).toBe(400);
    expect((await owner2('GET', '/api/risks?q=bad')).json.total).toBe(0);
    // The register is shown again with the form open, what was typed kept, the problem next to its field.
    expect(res.text).toMatch(/<details id="add-hazard" open>/);
    expect(res.text).toContain('value="bad ref"');
    expect(res.text).toMatch(/<small class="error" id="ref-error">Ref must look like HAZ-001\.<\/small>/);
    expect(res.text).toMatch(/<option value="S4" selected>/);
    expect(res.text).toMatch(/<option value="remote" selected>/);
  });

  it('picks the catalog control and the verifying evidence from the form’s lists; the page names evidence by title', async () => {
    const evidence = await owner2('POST', '/api/evidence', {
      kind: 'link',
      title: 'Nurse escalation drill, November',
      url: 'https://wiki.example.com/clinical/escalation-drill-11',
      controls: ['CLS-02'],
      evidenceDate: '2026-11-20',
      periodStart: '2026-11-16',
      periodEnd: '2026-11-22',
    });
    expect(evidence.status).toBe(201);
    const page = await owner2('GET', `/risks/${riskId}`);
    const list = (id: string) => page.text.slice(page.text.indexOf(`<datalist id="${id}">`)).split('</datalist>')[0];
    expect(list('control-options')).toMatch(/<option value="CLS-02" label="CLS-02 — [^"]+">/);
    expect(list('control-options')).not.toContain('CLN-02');
    expect(list('evidence-options')).toContain(
      `<option value="${evidence.json.id}" label="Nurse escalation drill, November — CLS-02 · 2026-11-20">`,
    );
    expect(page.text).not.toContain('placeholder="CLN-02"');
    const version = (await owner2('GET', `/api/risks/${riskId}`)).json.version;
    const res = await postForm(`/risks/${riskId}/controls`, {
      version: String(version),
      type: 'information_for_safety',
      description: 'Red-flag leaflet handed out at discharge',
      controlKey: 'CLS-02',
      implementationEvidence: evidence.json.id,
      effectivenessEvidence: '',
      residualSeverity: '',
      residualProbability: '',
    });
    expect(res.status).toBe(303);
    const after = await owner2('GET', `/risks/${riskId}`);
    expect(after.text).toContain(
      `<a href="/api/evidence/${evidence.json.id}/download" title="${evidence.json.id}" data-evidence="${evidence.json.id}">Nurse escalation drill, November</a>`,
    );
  });

  it('shows the ISO 14971 chain fields it misses next to them, and a taken ref as 409, the input kept', async () => {
    const chain = await postForm('/risks', {
      register: 'iso14971',
      ref: 'HAZ-190',
      product: 'Triage',
      title: 'Chain left out',
      hazard: 'Wrong advice',
      severity: 'S2',
      probability: 'remote',
    });
    expect(chain.status).toBe(400);
    expect(chain.text).toContain('value="HAZ-190"');
    expect(chain.text).toContain('Wrong advice</textarea>');
    expect(chain.text).toMatch(/name="harm"[^>]*aria-invalid="true"/);
    const taken = await postForm('/risks', {
      register: 'iso14971',
      ref: 'HAZ-101',
      product: 'Triage',
      title: 'Same ref again',
      hazard: 'h',
      hazardousSituation: 's',
      harm: 'x',
      severity: 'S2',
      probability: 'remote',
    });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('value="Same ref again"');
    expect(taken.text).toContain('id="add-hazard-error"');
  });
});

describe('the quarterly review', () => {
  it('is completed from the register page: notes, a frozen snapshot, an audit-trail entry, listed on the page and the API', async () => {
    const res = await postForm('/risks/reviews', { register: 'iso14971', notes: 'Q4 review: <all> risks reassessed' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/risks?register=iso14971');
    const me = (await owner2('GET', '/api/me')).json.id;
    const list = await owner2('GET', '/api/risks/reviews');
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(1);
    expect(list.json.items[0]).toMatchObject({
      register: 'iso14971',
      reviewerUserId: me,
      notes: 'Q4 review: <all> risks reassessed',
      risks: 1,
    });
    expect(list.json.items[0].summary).toEqual([
      { status: 'open', level: 'alara', residualLevel: 'acceptable', count: 1 },
    ]);
    const page = await owner2('GET', '/risks');
    expect(page.text).toContain('Q4 review: &lt;all&gt; risks reassessed');
    const trail = await client(t.baseUrl, await login(t.baseUrl, DEMO.compliance))(
      'GET',
      `/api/audit-trail?subjectId=${list.json.items[0].id}`,
    );
    expect(trail.json.items.map((e: { action: string; data: unknown }) => [e.action, e.data])).toEqual([
      ['risk.review', { register: 'iso14971', risks: 1 }],
    ]);
  });

  it('is completed over the API too, and newest comes first', async () => {
    const res = await owner2('POST', '/api/risks/reviews', { notes: 'follow-up' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ register: 'iso14971', notes: 'follow-up', risks: 1 });
    expect(
      (await owner2('GET', '/api/risks/reviews?register=iso14971')).json.items.map((r: { notes: string }) => r.notes),
    ).toEqual(['follow-up', 'Q4 review: <all> risks reassessed']);
    expect((await owner2('POST', '/api/risks/reviews', { notes: '' })).status).toBe(400);
    expect((await owner2('GET', '/api/risks/reviews?register=security')).json.total).toBe(0);
  });

  it("is attached by the sweep's risk-review collector as evidence of the control naming it (CLS-02)", async () => {
    const compliance = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
    expect((await compliance('POST', '/api/sweeps', {})).json.created).toBe(true);
    const list = await compliance('GET', '/api/evidence?control=CLS-02');
    const snapshots = list.json.items.filter((e: { source: string }) => e.source === 'collector:risk-review');
    expect(snapshots).toHaveLength(1);
    const download = await compliance('GET', snapshots[0].files[0].download);
    const data = JSON.parse(download.text);
    expect(data.iso14971.latestReview).toMatchObject({ notes: 'follow-up', risks: 1 });
    expect(data.iso14971.latestReview.snapshot.risks.map((r: { ref: string }) => r.ref)).toEqual(['HAZ-101']);
    expect(data.iso14971.summary).toEqual([{ status: 'open', level: 'alara', residualLevel: 'acceptable', count: 1 }]);
    expect(data.security).toEqual({ latestReview: null, summary: [] });
  });

  it('the same review evidence goes to every control mapped to ISO 14971 clause 10 or SOC 2 CC3.x, and to no other (never to CLS-04, clause 9)', async () => {
    const compliance = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
    const mapped = async (framework: string, match: RegExp) =>
      (
        (await compliance('GET', `/api/frameworks/${framework}/requirements?limit=200`)).json.items as {
          ref: string;
          controls: string[];
        }[]
      )
        .filter((r) => match.test(r.ref))
        .flatMap((r) => r.controls);
    const expected = [
      ...new Set(['CLS-02', ...(await mapped('iso14971', /^10(\.|$)/)), ...(await mapped('soc2', /^CC3\./))]),
    ].sort();
    expect(expected).toEqual(expect.arrayContaining(['CLS-02', 'CLS-06'])); // CLS-06 maps ISO 14971 clause 10 and names no collector
    expect(expected).not.toContain('CLS-04'); // the per-release risk management report (clause 9) is not evidenced by a quarterly review
    expect(await mapped('iso14971', /^9$/)).toContain('CLS-04');
    expect(expected.length).toBeGreaterThan(4);
    const snapshot = (await compliance('GET', '/api/evidence?control=CLS-02')).json.items.find(
      (e: { source: string }) => e.source === 'collector:risk-review',
    );
    const evidence = await compliance('GET', `/api/evidence/${snapshot.id}`);
    expect([...evidence.json.controls].sort()).toEqual(expected);
    const unrelated = await compliance('GET', '/api/evidence?control=CLS-03'); // ISO 14971 5.2/5.3 only
    expect(unrelated.json.items.filter((e: { source: string }) => e.source === 'collector:risk-review')).toEqual([]);
  });

  it('is refused to roles that may not change risks', async () => {
    expect((await viewer('POST', '/api/risks/reviews', { notes: 'x' })).status).toBe(403);
    expect((await owner('GET', '/api/risks/reviews')).status).toBe(403);
  });
});

describe('the risk management plan of the selected product', () => {
  it('shows "no plan yet" for a product, then the plan and residual-risk statement written through the form', async () => {
    const empty = await owner2('GET', '/risks?product=Triage');
    expect(empty.text).toContain('<section id="plan" data-product="Triage">');
    expect(empty.text).toContain('id="plan-missing"');
    expect(empty.text).toContain('name="version" value="0"');
    expect((await owner2('GET', '/risks')).text).not.toContain('id="plan"'); // no product selected

    const res = await postForm('/risks/plan', {
      product: 'Triage',
      version: '0',
      scope: 'Triage app 3.x',
      intendedUse: 'Adults <18 excluded',
      acceptabilityPolicy: 'Matrix v1',
      reviewCadence: 'quarterly',
      residualRiskStatement: 'Acceptable overall.',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/risks?product=Triage#plan');
    const page = await owner2('GET', '/risks?product=Triage');
    expect(page.text).toContain('<dd id="plan-intended-use">Adults &lt;18 excluded</dd>');
    expect(page.text).toMatch(/<dd id="plan-residual">Acceptable overall\. <small>— [^<]+, /);
    expect(page.text).toContain('name="version" value="1"');
    expect(page.text).toContain('data-ref="HAZ-101"'); // the register is filtered to the product

    const stale = await postForm('/risks/plan', {
      product: 'Triage',
      version: '0',
      scope: 's',
      intendedUse: 'i',
      acceptabilityPolicy: 'a',
      reviewCadence: 'annual',
      residualRiskStatement: '',
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toMatch(/<details id="edit-plan" open>/);
    expect(stale.text).toMatch(/id="edit-plan-error">The plan for Triage is at version 1, not 0/);
    expect(stale.text).toMatch(/<option value="annual" selected>/);
    expect(stale.text).toContain('name="version" value="1"');
    // No product (the page's hidden field): there is no plan to show the form on; the refusal names the field.
    const noProduct = await postForm('/risks/plan', {
      product: '',
      version: '0',
      scope: 's',
      intendedUse: 'i',
      acceptabilityPolicy: 'a',
      reviewCadence: 'annual',
    });
    expect(noProduct.status).toBe(400);
    expect(JSON.parse(noProduct.text).errors.map((e: { field: string }) => e.field)).toEqual(['product']);
    const api = await owner2('GET', '/api/risks/plans/Triage');
    expect(api.json).toMatchObject({
      version: 1,
      reviewCadence: 'quarterly',
      residualRiskStatement: 'Acceptable overall.',
    });
  });

  it('is not shown to, nor written by, roles that may not read or write plans', async () => {
    expect((await viewer('GET', '/risks?product=Triage')).status).toBe(403);
    const privacy = client(t.baseUrl, await login(t.baseUrl, DEMO.privacy));
    const page = await privacy('GET', '/risks?product=Triage');
    expect(page.text).toContain('<dd id="plan-scope">Triage app 3.x</dd>');
    expect(page.text).not.toContain('id="edit-plan"');
  });
});

describe('the security register page', () => {
  it('asks for impact and likelihood on its own scale, without P1 × P2', async () => {
    const page = await client(t.baseUrl, await login(t.baseUrl, DEMO.compliance))('GET', '/risks?register=security');
    expect(page.text).toMatch(/<label>Impact <select name="severity"><option value="I1">I1 Minimal<\/option>/);
    expect(page.text).toMatch(/<label>Likelihood <select name="probability"><option value="L1">L1 Rare<\/option>/);
    expect(page.text).not.toContain('name="p1"');
    expect(cell(page.text, 'before', 'I3', 'L3')).toEqual({ level: 'alara', count: 0 });
  });
});

describe('who may not', () => {
  it('hides the menu entry and refuses the pages to roles that may not read risks', async () => {
    for (const as of [owner, viewer]) {
      const home = await as('GET', '/controls');
      expect(home.text).not.toContain('<a href="/risks">Risks</a>');
      expect((await as('GET', '/risks')).status).toBe(403);
    }
  });
});

describe('a form sent twice with the key its page gave it (a reload of the POST, a double click)', () => {
  const formKey = (html: string) => /name="formKey" value="([A-Za-z0-9_-]{16,64})"/.exec(html)![1];

  it('adds the hazard once, and adds its control once; the repeat is sent where the first went', async () => {
    const key = formKey((await owner2('GET', '/risks')).text);
    const hazard = {
      formKey: key,
      register: 'iso14971',
      ref: 'HAZ-902',
      product: 'Triage',
      title: 'Sent twice',
      hazard: 'Double click',
      sequenceOfEvents: 'The button is pressed twice',
      hazardousSituation: 'Two rows',
      harm: 'A confusing register',
      severity: 'S2',
      p1: 'remote',
      p2: 'remote',
      probability: '',
    };
    const [first, second] = [await postForm('/risks', hazard), await postForm('/risks', hazard)];
    expect(first).toMatchObject({ status: 303 });
    expect(second).toMatchObject({ status: 303, location: first.location });
    const listed = (await owner2('GET', '/api/risks?register=iso14971&limit=200')).json.items as { ref: string }[];
    expect(listed.filter((r) => r.ref === 'HAZ-902')).toHaveLength(1);

    const riskPath = first.location!;
    const controlKey = formKey((await owner2('GET', riskPath)).text);
    const control = {
      formKey: controlKey,
      version: '1',
      type: 'information_for_safety',
      description: 'Warn before sending twice',
      controlKey: '',
      implementationEvidence: '',
      effectivenessEvidence: '',
      residualSeverity: '',
      residualProbability: '',
    };
    const [one, two] = await Promise.all([
      postForm(`${riskPath}/controls`, control),
      postForm(`${riskPath}/controls`, control),
    ]);
    expect(one).toMatchObject({ status: 303, location: riskPath });
    expect(two).toMatchObject({ status: 303, location: riskPath });
    const risk = (await owner2('GET', `/api/${riskPath.slice(1)}`)).json;
    expect(risk.controls.map((c: { description: string }) => c.description)).toEqual(['Warn before sending twice']);
    expect(risk.version).toBe(2);
  });

  it('refuses a key of the wrong shape, naming the field', async () => {
    const res = await postForm('/risks/reviews', { formKey: 'not a key!', register: 'iso14971', notes: 'x' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('formKey');
  });
});
