// The risk registers over HTTP as the demo personas: levels from the matrix, versions and the audit
// trail, who may see and change what, CSV import (all or nothing) and export, heat map and traceability.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let as: Record<'compliance' | 'owner2' | 'owner' | 'viewer' | 'privacy', ReturnType<typeof client>>;
let owner2Id: string;
let complianceId: string;

const hazard = (ref: string, product: string, extra: Record<string, unknown> = {}) => ({
  register: 'iso14971',
  ref,
  product,
  title: 'Triage advice is wrong',
  hazard: 'Incorrect triage recommendation',
  sequenceOfEvents: 'Symptom text is misread by the model',
  hazardousSituation: 'Patient relies on a low-urgency recommendation',
  harm: 'Delayed treatment',
  severity: 'S4',
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {} as typeof as;
  for (const who of ['compliance', 'owner2', 'owner', 'viewer', 'privacy'] as const)
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
  owner2Id = (await as.owner2('GET', '/api/me')).json.id;
  complianceId = (await as.compliance('GET', '/api/me')).json.id;
});
afterAll(async () => t?.close());

describe('create and change, with history', () => {
  it('computes P from P1 × P2 and the level from the matrix, and refuses a level given as input', async () => {
    const res = await as.compliance(
      'POST',
      '/api/risks',
      hazard('HAZ-001', 'create', { p1: 'probable', p2: 'probable' }),
    );
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      ref: 'HAZ-001',
      severity: 'S4',
      p1: 'probable',
      p2: 'probable',
      probability: 'occasional',
      level: 'unacceptable',
      residualLevel: null,
      status: 'open',
      ownerUserId: complianceId,
      version: 1,
      controls: [],
    });
    const withLevel = await as.compliance(
      'POST',
      '/api/risks',
      hazard('HAZ-002', 'create', { probability: 'improbable', level: 'acceptable' }),
    );
    expect(withLevel.status).toBe(400);
    expect(withLevel.json.errors).toEqual([expect.objectContaining({ field: 'level' })]);
    const again = await as.compliance('POST', '/api/risks', hazard('HAZ-001', 'create', { probability: 'improbable' }));
    expect([again.status, again.json.code]).toEqual([409, 'risk.ref_taken']);
    const chain = await as.compliance('POST', '/api/risks', {
      ...hazard('HAZ-003', 'create', { probability: 'likely' }),
      harm: undefined,
    }); // a word, but not a level of the scale
    expect(chain.status).toBe(400);
    expect(chain.json.errors.map((e: { field: string }) => e.field)).toEqual(['probability', 'harm']);
    const oldKey = await as.compliance('POST', '/api/risks', hazard('HAZ-004', 'create', { probability: 'P2' }));
    expect([oldKey.status, oldKey.json.errors]).toEqual([
      400,
      [
        {
          field: 'probability',
          message: 'probability must be a level like remote (likelihood like L2 in the security register)',
        },
      ],
    ]);
    const noHarm = await as.compliance('POST', '/api/risks', {
      ...hazard('HAZ-003', 'create', { probability: 'remote' }),
      harm: undefined,
    });
    expect(noHarm.json.errors).toEqual([{ field: 'harm', message: 'is required in the ISO 14971 register' }]);
  });

  it('a PATCH recomputes levels, makes a version with before/after, and writes the audit trail', async () => {
    const created = (await as.compliance('POST', '/api/risks', hazard('HAZ-010', 'patch', { probability: 'probable' })))
      .json;
    expect(created.level).toBe('unacceptable');
    const patched = await as.compliance('PATCH', `/api/risks/${created.id}`, {
      residualSeverity: 'S4',
      residualProbability: 'improbable',
      status: 'controlled',
      version: 1,
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      level: 'unacceptable',
      residualLevel: 'alara',
      status: 'controlled',
      version: 2,
    }); // critical harm is never acceptable outright
    const p1p2 = await as.compliance('PATCH', `/api/risks/${created.id}`, { p1: 'frequent', p2: 'remote' }); // a certain hazardous situation: P = p2
    expect(p1p2.json).toMatchObject({
      probability: 'remote',
      p1: 'frequent',
      p2: 'remote',
      level: 'alara',
      version: 3,
    });
    const same = await as.compliance('PATCH', `/api/risks/${created.id}`, { status: 'controlled' });
    expect(same.json.version).toBe(3);
    const stale = await as.compliance('PATCH', `/api/risks/${created.id}`, { status: 'accepted', version: 2 });
    expect([stale.status, stale.json.code]).toEqual([409, 'risk.version_conflict']);

    const history = await as.compliance('GET', `/api/risks/${created.id}/history`);
    expect(history.status).toBe(200);
    expect(history.json.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(history.json[1]).toMatchObject({
      actor: `user:${complianceId}`,
      before: { residualLevel: null },
      after: { residualLevel: 'alara' },
    });
    expect(history.json[1].changes).toEqual([
      { field: 'residualSeverity', from: null, to: 'S4' },
      { field: 'residualProbability', from: null, to: 'improbable' },
      { field: 'residualLevel', from: null, to: 'alara' },
      { field: 'status', from: 'open', to: 'controlled' },
    ]);
    expect(history.json[0].changes.map((c: { field: string }) => c.field)).toEqual([
      'probability',
      'p1',
      'p2',
      'level',
    ]);
    expect(history.json[2].before).toBeNull();

    const [a, b] = await Promise.all([
      as.compliance('PATCH', `/api/risks/${created.id}`, { title: 'Triage advice is wrong (revised)' }),
      as.compliance('PATCH', `/api/risks/${created.id}`, { benefitRisk: 'Documented in RMF-7.4' }),
    ]);
    expect([a.json.version, b.json.version].sort()).toEqual([4, 5]); // concurrent changes: consecutive versions, none lost
    expect((await as.compliance('GET', `/api/risks/${created.id}`)).json).toMatchObject({
      title: 'Triage advice is wrong (revised)',
      benefitRisk: 'Documented in RMF-7.4',
      version: 5,
    });

    const trail = await as.compliance('GET', `/api/audit-trail?subjectId=${created.id}`);
    expect(
      trail.json.items.map((e: { action: string; data: { version: number } }) => [e.action, e.data.version]),
    ).toEqual([
      ['risk.update', 5],
      ['risk.update', 4],
      ['risk.update', 3],
      ['risk.update', 2],
      ['risk.create', 1],
    ]);
  });
});

describe('who sees and changes what', () => {
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    theirs = (await as.compliance('POST', '/api/risks', hazard('HAZ-020', 'access', { probability: 'remote' }))).json
      .id;
  });

  it('a clinical control owner creates and changes their own ISO 14971 risks only', async () => {
    const res = await as.owner2('POST', '/api/risks', hazard('HAZ-021', 'access', { probability: 'remote' }));
    expect(res.status).toBe(201);
    expect(res.json.ownerUserId).toBe(owner2Id);
    mine = res.json.id;
    expect((await as.owner2('PATCH', `/api/risks/${mine}`, { severity: 'S5' })).json).toMatchObject({
      level: 'unacceptable',
      version: 2,
    });
    const forOther = await as.owner2(
      'POST',
      '/api/risks',
      hazard('HAZ-022', 'access', { probability: 'remote', ownerUserId: complianceId }),
    );
    expect([forOther.status, forOther.json.code]).toEqual([403, 'risk.not_yours']);
    const security = await as.owner2('POST', '/api/risks', {
      register: 'security',
      ref: 'SEC-021',
      product: 'access',
      title: 'x',
      severity: 'I2',
      probability: 'L2',
    });
    expect([security.status, security.json.code]).toEqual([403, 'risk.not_yours']);
    const handOver = await as.owner2('PATCH', `/api/risks/${mine}`, { ownerUserId: complianceId });
    expect([handOver.status, handOver.json.code]).toEqual([403, 'risk.not_yours']);
  });

  it("someone else's risk is a 404 to them, in every route; lists hold only their own", async () => {
    for (const [method, path, body] of [
      ['GET', `/api/risks/${theirs}`],
      ['PATCH', `/api/risks/${theirs}`, { status: 'closed' }],
      ['GET', `/api/risks/${theirs}/history`],
    ] as const) {
      const res = await as.owner2(method, path, body);
      expect([path, res.status, res.json.code]).toEqual([path, 404, 'risk.not_found']);
    }
    const list = await as.owner2('GET', '/api/risks?product=access');
    expect(list.json.items.map((r: { ref: string }) => r.ref)).toEqual(['HAZ-021']);
    expect((await as.compliance('GET', '/api/risks?product=access')).json.total).toBe(2);
    expect((await as.compliance('GET', '/api/risks/7d1e1a52-4c39-4f51-9f0b-0b5a0b7f5e11')).status).toBe(404);
  });

  it('engineering control owners and viewers may not use the register at all (403)', async () => {
    for (const who of [as.owner, as.viewer]) {
      expect((await who('GET', '/api/risks')).status).toBe(403);
      expect((await who('POST', '/api/risks', hazard('HAZ-023', 'access', { probability: 'remote' }))).status).toBe(
        403,
      );
      expect((await who('GET', `/api/risks/${mine}`)).status).toBe(403);
    }
  });
});

describe('controls, evidence and traceability', () => {
  it('links a catalog control and its verification evidence, and flags what is missing', async () => {
    const evidence = await as.owner2('POST', '/api/evidence', {
      kind: 'link',
      title: 'Triage validation report',
      url: 'https://wiki.example.com/val/1',
      controls: ['CLS-02'],
      evidenceDate: '2026-11-21',
      periodStart: '2026-11-16',
      periodEnd: '2026-11-22',
    });
    expect(evidence.status).toBe(201);
    const control = {
      type: 'protective_measure',
      description: 'Red-flag symptoms always escalate',
      controlKey: 'CLS-02',
      implementationEvidence: [evidence.json.id],
    };
    const wrong = await as.owner2(
      'POST',
      '/api/risks',
      hazard('HAZ-030', 'trace', { probability: 'probable', controls: [{ ...control, controlKey: 'CLS-01' }] }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.json.errors).toEqual([
      { field: 'controls[0].implementationEvidence', message: `${evidence.json.id} is not current evidence of CLS-01` },
    ]);
    const created = await as.owner2(
      'POST',
      '/api/risks',
      hazard('HAZ-030', 'trace', {
        probability: 'probable',
        residualSeverity: 'S4',
        residualProbability: 'occasional',
        controls: [control],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.json.controls).toEqual([{ ...control, effectivenessEvidence: [], arisingRisks: [] }]);
    await as.owner2('POST', '/api/risks', hazard('HAZ-031', 'trace', { probability: 'improbable' }));

    const report = await as.owner2('GET', '/api/risks/traceability?product=trace');
    expect(report.status).toBe(200);
    expect(
      report.json.items.map((i: { ref: string; gaps: { kind: string }[] }) => [i.ref, i.gaps.map((g) => g.kind)]),
    ).toEqual([
      ['HAZ-030', ['control_without_effectiveness_verification', 'unacceptable_residual_without_benefit_risk']],
      ['HAZ-031', []],
    ]);
    expect(report.json.items[0]).toMatchObject({
      hazard: 'Incorrect triage recommendation',
      harm: 'Delayed treatment',
      level: 'unacceptable',
      residualLevel: 'unacceptable',
      controls: [{ controlKey: 'CLS-02', implementationEvidence: [evidence.json.id] }],
    });

    await as.owner2('PATCH', `/api/risks/${created.json.id}`, {
      benefitRisk: 'Earlier triage for most patients outweighs the residual risk.',
      controls: [{ ...control, effectivenessEvidence: [evidence.json.id] }],
    });
    const after = await as.owner2('GET', '/api/risks/traceability?product=trace');
    expect(after.json.items[0].gaps).toEqual([]);
  });
});

describe('heat map', () => {
  it('counts risks per cell before and after controls', async () => {
    await as.compliance('POST', '/api/risks', hazard('HAZ-040', 'heat', { probability: 'probable' }));
    await as.compliance(
      'POST',
      '/api/risks',
      hazard('HAZ-041', 'heat', { probability: 'probable', residualSeverity: 'S4', residualProbability: 'improbable' }),
    );
    await as.compliance('POST', '/api/risks', {
      ...hazard('HAZ-042', 'heat', { probability: 'remote' }),
      severity: 'S1',
    });
    const res = await as.compliance('GET', '/api/risks/heatmap?product=heat');
    expect(res.status).toBe(200);
    const nonZero = (cells: { severity: string; probability: string; level: string; count: number }[]) =>
      cells.filter((c) => c.count).map((c) => `${c.probability}×${c.severity} ${c.level} ${c.count}`);
    expect(nonZero(res.json.before)).toEqual(['probable×S4 unacceptable 2', 'remote×S1 acceptable 1']);
    expect(nonZero(res.json.after)).toEqual([
      'probable×S4 unacceptable 1',
      'remote×S1 acceptable 1',
      'improbable×S4 alara 1',
    ]);
    expect(res.json).toMatchObject({ register: 'iso14971', product: 'heat', total: 3, unassessed: 2 });
    expect(res.json.before).toHaveLength(25);
    expect(res.json.severity[0]).toEqual({ level: 'S1', name: 'Negligible' });
    expect((await as.owner2('GET', '/api/risks/heatmap?product=heat')).json.total).toBe(0);
  });
});

describe('CSV import and export', () => {
  const HEADER =
    'register,ref,product,title,hazard,hazardous_situation,harm,severity,p1,p2,probability,residual_severity,residual_probability,benefit_risk,status,treatment,due_on,owner_user_id';
  const importAs = async (cookie: string, body: string) => {
    const res = await fetch(`${t.baseUrl}/api/risks/import`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/csv' },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  let cookie: string;
  beforeAll(async () => {
    cookie = await login(t.baseUrl, DEMO.compliance);
  });

  it('one bad row imports nothing and names the row and column', async () => {
    const body = [
      HEADER,
      'iso14971,HAZ-101,csv,t,h,s,x,S3,,,occasional,,,,open,,,',
      'iso14971,HAZ-102,csv,t,h,s,x,S9,,,occasional,,,,open,,,',
      'security,SEC-101,csv,t,,,,I2,,,L4,,,,open,mitigate,2026-12-31,',
    ].join('\n');
    const res = await importAs(cookie, body);
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('risk.import_invalid');
    expect(res.json.errors).toEqual([{ field: 'row 3, severity', message: 'must be one of S1, S2, S3, S4, S5' }]);
    expect(res.json.detail).toContain('Nothing was imported');
    expect((await as.compliance('GET', '/api/risks?product=csv')).json.total).toBe(0);

    const ok = await importAs(cookie, body.replace(',S9,', ',S2,'));
    expect([ok.status, ok.json]).toEqual([200, { rows: 3, created: 3, updated: 0, unchanged: 0 }]);
    const list = (await as.compliance('GET', '/api/risks?product=csv')).json;
    expect(
      list.items.map((r: { ref: string; level: string; ownerUserId: string }) => [r.ref, r.level, r.ownerUserId]),
    ).toEqual([
      ['HAZ-101', 'alara', complianceId],
      ['HAZ-102', 'alara', complianceId], // minor injury at up to 1e-2 per use
      ['SEC-101', 'alara', complianceId],
    ]);
  });

  it('exports CSV that imports back unchanged; an edited cell updates that risk only', async () => {
    const exported = await fetch(`${t.baseUrl}/api/risks/export?product=csv`, { headers: { cookie } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const text = await exported.text();
    expect(text.split('\n')).toHaveLength(5); // header, 3 rows, final newline
    expect(text.split('\n')[0].endsWith(',owner_user_id,controls')).toBe(true);
    expect(await importAs(cookie, text)).toEqual({
      status: 200,
      json: { rows: 3, created: 0, updated: 0, unchanged: 3 },
    });
    const edited = text.replace(/^(iso14971,HAZ-101,.*?),open,/m, '$1,controlled,');
    expect(edited).not.toBe(text);
    expect(await importAs(cookie, edited)).toEqual({
      status: 200,
      json: { rows: 3, created: 0, updated: 1, unchanged: 2 },
    });
    const risk = (await as.compliance('GET', '/api/risks?product=csv&status=controlled')).json.items[0];
    expect([risk.ref, risk.version]).toEqual(['HAZ-101', 2]);
  });

  it('a clinical owner imports only their own ISO 14971 risks; a JSON body is refused', async () => {
    const mine = await login(t.baseUrl, DEMO.owner2);
    const res = await importAs(
      mine,
      [
        HEADER,
        'iso14971,HAZ-101,csv,t,h,s,x,S3,,,occasional,,,,open,,,',
        `security,SEC-102,csv,t,,,,I2,,,L4,,,,open,,,`,
        `iso14971,HAZ-103,csv,t,h,s,x,S3,,,occasional,,,,open,,,${complianceId}`,
      ].join('\n'),
    );
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      { field: 'row 2, ref', message: 'cannot be used; choose another ref' }, // a risk they cannot read is not named
      { field: 'row 3, register', message: 'you may only create ISO 14971 risks you own' },
      { field: 'row 4, owner_user_id', message: 'you may only create ISO 14971 risks you own' },
    ]);
    const json = await as.compliance('POST', '/api/risks/import', { csv: 'x' });
    expect([json.status, json.json.code]).toEqual([400, 'risk.import_not_csv']);
    expect((await importAs(await login(t.baseUrl, DEMO.viewer), HEADER)).status).toBe(403);
  });
});

describe('the security register (SOC 2 CC3) on its own scale', () => {
  const sec = (ref: string, extra: Record<string, unknown>) => ({
    register: 'security',
    ref,
    product: 'sec',
    title: 'Leaked API token',
    severity: 'I4',
    probability: 'L2',
    ...extra,
  });
  it('levels impact × likelihood from the `security:` matrix, with treatment, owner, due date and linked controls', async () => {
    const res = await as.compliance(
      'POST',
      '/api/risks',
      sec('SEC-301', {
        treatment: 'mitigate',
        dueOn: '2027-03-31',
        ownerUserId: owner2Id,
        residualSeverity: 'I4',
        residualProbability: 'L1',
        controls: [{ type: 'protective_measure', description: 'Rotate tokens every 90 days', controlKey: 'CLS-02' }],
      }),
    );
    expect(res.status).toBe(201);
    // I4 × L2 is alara and I4 × L1 alara on the security scale; the ISO 14971 matrix is not consulted.
    expect(res.json).toMatchObject({
      severity: 'I4',
      probability: 'L2',
      level: 'alara',
      residualLevel: 'alara',
      treatment: 'mitigate',
      dueOn: '2027-03-31',
      ownerUserId: owner2Id,
      controls: [{ controlKey: 'CLS-02' }],
    });
    const heat = await as.compliance('GET', '/api/risks/heatmap?register=security&product=sec');
    expect(heat.json.severity.map((l: { level: string }) => l.level)).toEqual(['I1', 'I2', 'I3', 'I4', 'I5']);
    expect(heat.json.probability[4]).toEqual({ level: 'L5', name: 'Almost certain' });
    expect(heat.json.before.filter((c: { count: number }) => c.count)).toEqual([
      { severity: 'I4', probability: 'L2', level: 'alara', count: 1 },
    ]);
  });
  it('refuses ISO 14971 levels and P1 × P2 in the security register (and security levels in the ISO one)', async () => {
    const iso = await as.compliance('POST', '/api/risks', sec('SEC-302', { severity: 'S4', probability: 'remote' }));
    expect(iso.status).toBe(400);
    expect(iso.json.errors).toEqual([
      { field: 'severity', message: 'must be one of I1, I2, I3, I4, I5' },
      { field: 'probability', message: 'must be one of L1, L2, L3, L4, L5' },
    ]);
    const p1p2 = await as.compliance(
      'POST',
      '/api/risks',
      sec('SEC-302', { probability: undefined, p1: 'remote', p2: 'occasional' }),
    );
    expect(p1p2.json.errors).toEqual([
      { field: 'p1', message: 'P1 × P2 belongs to the ISO 14971 register only: give the likelihood' },
    ]);
    const crossed = await as.compliance(
      'POST',
      '/api/risks',
      hazard('HAZ-302', 'sec', { severity: 'I4', probability: 'L2' }),
    );
    expect(crossed.json.errors.map((e: { message: string }) => e.message)).toEqual([
      'must be one of S1, S2, S3, S4, S5',
      'must be one of improbable, remote, occasional, probable, frequent',
    ]);
    expect((await as.compliance('GET', '/api/risks?product=sec')).json.total).toBe(1);
  });
});

describe('risks arising from risk controls (ISO 14971 7.5)', () => {
  it('a control links the risks it introduced; both risk pages and the traceability report show the link', async () => {
    const arising = (
      await as.owner2(
        'POST',
        '/api/risks',
        hazard('HAZ-401', 'arise', { title: 'Alarm fatigue from escalations', probability: 'occasional' }),
      )
    ).json;
    const control = {
      type: 'protective_measure',
      description: 'Escalate red-flag symptoms to a nurse',
      arisingRisks: ['HAZ-401'],
    };
    const source = await as.owner2(
      'POST',
      '/api/risks',
      hazard('HAZ-400', 'arise', { probability: 'probable', controls: [control] }),
    );
    expect(source.status).toBe(201);
    expect(source.json.controls).toEqual([
      { ...control, controlKey: null, implementationEvidence: [], effectivenessEvidence: [] },
    ]);

    const report = (await as.owner2('GET', '/api/risks/traceability?product=arise')).json.items;
    expect(
      report.map((i: { ref: string; controls: { arisingRisks: string[] }[]; arisingFrom: unknown[] }) => [
        i.ref,
        i.controls.map((c) => c.arisingRisks),
        i.arisingFrom,
      ]),
    ).toEqual([
      ['HAZ-400', [['HAZ-401']], []],
      ['HAZ-401', [], [{ id: source.json.id, ref: 'HAZ-400', title: 'Triage advice is wrong', control: 1 }]],
    ]);
    const page = await as.owner2('GET', `/risks/${arising.id}`);
    expect(page.text).toMatch(
      new RegExp(`<li data-origin="HAZ-400">control 1 of <a href="/risks/${source.json.id}"><code>HAZ-400</code>`),
    );
    expect((await as.owner2('GET', `/risks/${source.json.id}`)).text).toContain('data-arising="HAZ-401"');

    const history = (await as.owner2('GET', `/api/risks/${source.json.id}/history`)).json;
    expect(history[0].after.controls[0].arisingRiskRefs).toEqual(['HAZ-401']);
  });

  it('refuses a ref that is not a risk you can see in the register, and the risk itself', async () => {
    const theirs = await as.compliance('POST', '/api/risks', hazard('HAZ-402', 'arise', { probability: 'remote' }));
    expect(theirs.status).toBe(201);
    const res = await as.owner2(
      'POST',
      '/api/risks',
      hazard('HAZ-403', 'arise', {
        probability: 'remote',
        controls: [{ type: 'inherent_design', description: 'd', arisingRisks: ['HAZ-402', 'HAZ-999', 'HAZ-403'] }],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      { field: 'controls[0].arisingRisks', message: 'HAZ-402 is not a risk in the iso14971 register' },
      { field: 'controls[0].arisingRisks', message: 'HAZ-999 is not a risk in the iso14971 register' },
      {
        field: 'controls[0].arisingRisks',
        message: 'HAZ-403 is the risk this measure controls; a risk it introduces is a new entry',
      },
    ]);
    expect(
      (
        await as.owner2(
          'POST',
          '/api/risks',
          hazard('HAZ-403', 'arise', {
            probability: 'remote',
            controls: [{ type: 'inherent_design', description: 'd', arisingRisks: ['haz 1'] }],
          }),
        )
      ).status,
    ).toBe(400);
  });
});

describe('controls in the CSV', () => {
  const HEADER = 'register,ref,product,title,hazard,hazardous_situation,harm,severity,probability,status,controls';
  const importAs = async (cookie: string, body: string) => {
    const res = await fetch(`${t.baseUrl}/api/risks/import`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/csv' },
      body,
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const cell = (controls: unknown[]) => `"${JSON.stringify(controls).replace(/"/g, '""')}"`;
  let cookie: string;
  let evidenceId: string;
  beforeAll(async () => {
    cookie = await login(t.baseUrl, DEMO.compliance);
    evidenceId = (
      await as.compliance('POST', '/api/evidence', {
        kind: 'link',
        title: 'Escalation test report',
        url: 'https://wiki.example.com/val/9',
        controls: ['CLS-02'],
        evidenceDate: '2026-11-21',
        periodStart: '2026-11-16',
        periodEnd: '2026-11-22',
      })
    ).json.id;
  });

  it('imports controls with catalog keys, verification evidence and arising risks (in the same file); exports them back unchanged', async () => {
    const rows = [
      HEADER,
      `iso14971,HAZ-501,csvc,Wrong advice,h,s,x,S4,probable,open,${cell([{ type: 'protective_measure', description: 'Escalate', controlKey: 'CLS-02', implementationEvidence: [evidenceId], effectivenessEvidence: [evidenceId], arisingRisks: ['HAZ-502'] }])}`,
      'iso14971,HAZ-502,csvc,Alarm fatigue,h,s,x,S2,occasional,open,',
    ];
    expect(await importAs(cookie, rows.join('\n'))).toEqual({
      status: 200,
      json: { rows: 2, created: 2, updated: 0, unchanged: 0 },
    });
    const list = (await as.compliance('GET', '/api/risks?product=csvc')).json.items;
    expect(list[0].controls).toEqual([
      {
        type: 'protective_measure',
        description: 'Escalate',
        controlKey: 'CLS-02',
        implementationEvidence: [evidenceId],
        effectivenessEvidence: [evidenceId],
        arisingRisks: ['HAZ-502'],
      },
    ]);
    expect(list[1].controls).toEqual([]);

    const exported = await (await fetch(`${t.baseUrl}/api/risks/export?product=csvc`, { headers: { cookie } })).text();
    expect(exported).toContain(`""controlKey"":""CLS-02""`);
    expect(await importAs(cookie, exported)).toEqual({
      status: 200,
      json: { rows: 2, created: 0, updated: 0, unchanged: 2 },
    });
    const trace = (await as.compliance('GET', '/api/risks/traceability?product=csvc')).json.items;
    expect(trace[0].gaps.map((g: { kind: string }) => g.kind)).toEqual(['unacceptable_residual_without_benefit_risk']);
  });

  it('a bad control anywhere imports nothing, each problem named by row and the controls column', async () => {
    const bad = [
      HEADER,
      `iso14971,HAZ-511,csvc,t,h,s,x,S3,occasional,open,${cell([{ type: 'inherent_design', description: 'd', controlKey: 'CLS-99' }])}`,
      `iso14971,HAZ-512,csvc,t,h,s,x,S3,occasional,open,${cell([{ type: 'inherent_design', description: 'd', controlKey: 'CLS-01', implementationEvidence: [evidenceId] }])}`,
      `iso14971,HAZ-513,csvc,t,h,s,x,S3,occasional,open,${cell([{ type: 'inherent_design', description: 'd', arisingRisks: ['HAZ-998'] }])}`,
      'iso14971,HAZ-515,csvc,t,h,s,x,S3,occasional,open,',
    ];
    const res = await importAs(cookie, bad.join('\n'));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('risk.import_invalid');
    expect(res.json.errors).toEqual([
      { field: 'row 2, controls', message: '[0].controlKey: CLS-99 is not a control in the catalog' },
      {
        field: 'row 3, controls',
        message: `[0].implementationEvidence: ${evidenceId} is not current evidence of CLS-01`,
      },
      { field: 'row 4, controls', message: '[0].arisingRisks: HAZ-998 is not a risk in the iso14971 register' },
    ]);
    // A cell that is not a list of controls is refused while the file is read (before catalog and evidence checks).
    const shape = await importAs(
      cookie,
      [
        HEADER,
        'iso14971,HAZ-515,csvc,t,h,s,x,S3,occasional,open,',
        `iso14971,HAZ-514,csvc,t,h,s,x,S3,occasional,open,"[{""type"":""wishful_thinking"",""description"":""d""}]"`,
      ].join('\n'),
    );
    expect([shape.status, shape.json.errors]).toEqual([
      400,
      [
        {
          field: 'row 3, controls',
          message:
            '[0].type: Invalid option: expected one of "inherent_design"|"protective_measure"|"information_for_safety"',
        },
      ],
    ]);
    expect((await as.compliance('GET', '/api/risks?product=csvc')).json.total).toBe(2); // HAZ-515 (a good row) was not imported either
  });

  it('an empty controls cell removes the controls; a file without the column leaves them', async () => {
    const noColumn = [
      'register,ref,product,title,hazard,hazardous_situation,harm,severity,probability,status',
      'iso14971,HAZ-501,csvc,Wrong advice,h,s,x,S4,probable,controlled',
    ];
    expect((await importAs(cookie, noColumn.join('\n'))).json).toEqual({
      rows: 1,
      created: 0,
      updated: 1,
      unchanged: 0,
    });
    expect(
      (await as.compliance('GET', '/api/risks?product=csvc&status=controlled')).json.items[0].controls,
    ).toHaveLength(1);
    expect(
      (await importAs(cookie, [HEADER, 'iso14971,HAZ-501,csvc,Wrong advice,h,s,x,S4,probable,controlled,'].join('\n')))
        .json,
    ).toEqual({ rows: 1, created: 0, updated: 1, unchanged: 0 });
    const risk = (await as.compliance('GET', '/api/risks?product=csvc&status=controlled')).json.items[0];
    expect(risk.controls).toEqual([]);
    const history = (await as.compliance('GET', `/api/risks/${risk.id}/history`)).json;
    expect(history[0].changes.map((c: { field: string }) => c.field)).toEqual(['controls']);
  });
});

describe('risk management plans and the residual-risk statement, per product', () => {
  const plan = {
    scope: 'Triage app 3.x, design to post-market',
    intendedUse: 'Adults self-triaging symptoms; not for emergencies',
    acceptabilityPolicy: 'controls/risk-matrix.yaml; no unacceptable residual risk',
    reviewCadence: 'quarterly',
  };
  it('PUT creates and changes a plan: versions with before/after, who/when of the statement, and the audit trail', async () => {
    const created = await as.compliance('PUT', '/api/risks/plans/Triage%20app', { ...plan, version: 0 });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      product: 'Triage app',
      ...plan,
      residualRiskStatement: null,
      residualStatementByUserId: null,
      residualStatementAt: null,
      version: 1,
    });

    const before = Date.now();
    const stated = await as.compliance('PUT', '/api/risks/plans/Triage%20app', {
      ...plan,
      residualRiskStatement: 'Overall residual risk is acceptable against the clinical benefit.',
      version: 1,
    });
    expect(stated.json).toMatchObject({
      version: 2,
      residualRiskStatement: 'Overall residual risk is acceptable against the clinical benefit.',
      residualStatementByUserId: complianceId,
      residualStatementByName: expect.any(String),
    });
    expect(Date.parse(stated.json.residualStatementAt)).toBeGreaterThanOrEqual(before - 1000);

    const same = await as.compliance('PUT', '/api/risks/plans/Triage%20app', {
      ...plan,
      residualRiskStatement: 'Overall residual risk is acceptable against the clinical benefit.',
    });
    expect(same.json.version).toBe(2);
    const cadence = await as.compliance('PUT', '/api/risks/plans/Triage%20app', { ...plan, reviewCadence: 'monthly' }); // statement left out: kept, with its author
    expect(cadence.json).toMatchObject({
      version: 3,
      reviewCadence: 'monthly',
      residualStatementAt: stated.json.residualStatementAt,
      residualStatementByUserId: complianceId,
    });
    const stale = await as.compliance('PUT', '/api/risks/plans/Triage%20app', { ...plan, version: 2 });
    expect([stale.status, stale.json.code]).toEqual([409, 'risk_plan.version_conflict']);
    const exists = await as.compliance('PUT', '/api/risks/plans/Triage%20app', { ...plan, version: 0 });
    expect(exists.status).toBe(409);

    const history = (await as.compliance('GET', '/api/risks/plans/Triage%20app/history')).json;
    expect(history.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(history[1].changes.map((c: { field: string }) => c.field)).toEqual([
      'residualRiskStatement',
      'residualStatementByUserId',
      'residualStatementAt',
    ]);
    expect(history[0]).toMatchObject({
      actor: `user:${complianceId}`,
      changes: [{ field: 'reviewCadence', from: 'quarterly', to: 'monthly' }],
    });
    const plans = await as.compliance('GET', '/api/risks/plans');
    expect(plans.json.items.map((p: { product: string }) => p.product)).toContain('Triage app');
    const id = (await as.compliance('GET', '/api/audit-trail?action=risk_plan.create')).json.items[0].subjectId;
    const trail = await as.compliance('GET', `/api/audit-trail?subjectId=${id}`);
    expect(
      trail.json.items.map((e: { action: string; data: { version: number } }) => [e.action, e.data.version]),
    ).toEqual([
      ['risk_plan.update', 3],
      ['risk_plan.update', 2],
      ['risk_plan.create', 1],
    ]);
  });

  it('a clinical owner writes plans; a privacy officer only reads them; others are refused; bad input is a 400 and a missing plan a 404', async () => {
    const res = await as.owner2('PUT', '/api/risks/plans/Clinic%20app', {
      ...plan,
      residualRiskStatement: 'Acceptable.',
    });
    expect(res.status).toBe(200);
    expect(res.json.residualStatementByUserId).toBe(owner2Id);
    expect((await as.privacy('GET', '/api/risks/plans/Clinic%20app')).json.product).toBe('Clinic app');
    expect((await as.privacy('PUT', '/api/risks/plans/Clinic%20app', plan)).status).toBe(403);
    expect((await as.owner('GET', '/api/risks/plans')).status).toBe(403);
    expect((await as.viewer('GET', '/api/risks/plans/Clinic%20app')).status).toBe(403);
    const bad = await as.compliance('PUT', '/api/risks/plans/Clinic%20app', {
      ...plan,
      reviewCadence: 'weekly',
      scope: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['reviewCadence', 'scope']);
    const missing = await as.compliance('GET', '/api/risks/plans/Nothing');
    expect([missing.status, missing.json.code]).toEqual([404, 'risk_plan.not_found']);
  });
});

describe('an invalid matrix file', () => {
  it('stops level computation with every problem as file:line, and nothing is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attest-controls-'));
    cpSync(t.config.controlsDir, dir, { recursive: true });
    const file = join(dir, 'risk-matrix.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'occasional: [acceptable, alara, alara',
        'occasional: [acceptable, alara, fine',
      ),
    );
    const broken = await startTestApp({ env: { DEMO: '1', CONTROLS_DIR: dir } });
    try {
      const api = client(broken.baseUrl, await login(broken.baseUrl, DEMO.compliance));
      const res = await api('POST', '/api/risks', hazard('HAZ-900', 'broken', { probability: 'occasional' }));
      expect([res.status, res.json.code]).toEqual([422, 'risk.matrix_invalid']);
      expect(res.json.detail).toMatch(/risk-matrix\.yaml:\d+: occasional × S3: "fine" is not a level/);
      expect((await api('GET', '/api/risks/heatmap')).status).toBe(422);
      expect((await api('GET', '/api/risks')).json.total).toBe(0);
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('documents the risk routes in OpenAPI', async () => {
  const doc = (await client(t.baseUrl, null)('GET', '/api/openapi.json')).json;
  expect(
    Object.keys(doc.paths)
      .filter((p) => p.startsWith('/api/risks'))
      .sort(),
  ).toEqual([
    '/api/risks',
    '/api/risks/export',
    '/api/risks/heatmap',
    '/api/risks/import',
    '/api/risks/plans',
    '/api/risks/plans/{product}',
    '/api/risks/plans/{product}/history',
    '/api/risks/reviews',
    '/api/risks/traceability',
    '/api/risks/{id}',
    '/api/risks/{id}/history',
  ]);
  expect(doc.paths['/api/risks/import'].post.requestBody.content).toHaveProperty(['text/csv']);
});
