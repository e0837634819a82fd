// The incident register over HTTP as the demo personas: intake (idempotent on the alert's key, rate
// limited), access by role, bad input named by field, the clocks answered by notices, closing rules.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'privacy' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let ids: Record<Who, string>;
let token: ReturnType<typeof client>;

const HOUR = 3_600_000;
/** Incidents one person or token may report a minute in this test (each persona reports fewer). */
const LIMIT = 25;
const ago = (h: number) => new Date(Date.now() - h * HOUR).toISOString();

const breach = (extra: Record<string, unknown> = {}) => ({
  title: 'Lab results e-mailed to the wrong patient',
  description: 'A batch job sent 40 result letters to the previous address book.',
  severity: 'SEV2',
  categories: ['personal_data_breach', 'security'],
  ...extra,
});

const factors = Object.fromEntries(
  ['nature', 'dataTypeAndVolume', 'subjectVulnerability', 'consequenceSeverity', 'widerEffects', 'safeguards'].map(
    (k) => [k, { level: 'high', note: null }],
  ),
);
const assessment = (decision: string, extra: Record<string, unknown> = {}) => ({
  types: ['confidentiality'],
  dataCategories: ['lab results', 'contact details'],
  sensitive: true,
  subjectsApprox: 40,
  recordsApprox: 40,
  factors,
  likelyConsequences: 'Disclosure of health data to other patients.',
  measuresTaken: 'Job stopped; recipients asked to delete.',
  decision,
  reasons: 'Health data of identifiable patients reached third parties.',
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', INCIDENT_INTAKE_RATE_LIMIT: String(LIMIT) } });
  as = {} as typeof as;
  ids = {} as typeof ids;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'privacy', 'auditor', 'viewer'] as const) {
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
  const minted = await as.compliance('POST', '/api/tokens', { name: 'alertmanager', expiresInDays: 30 });
  token = client(t.baseUrl, minted.json.token);
});
afterAll(async () => t?.close());

describe('intake', () => {
  it('creates one incident for an alert retried with the same key (201, then 200 with the same incident)', async () => {
    const alert = {
      title: 'API error rate above 5 %',
      description: 'Alertmanager: HighErrorRate firing',
      severity: 'SEV3',
      categories: ['availability'],
      externalKey: 'alertmanager:HighErrorRate:2026-12-06T01',
    };
    const first = await token('POST', '/api/incidents', alert);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ ref: expect.stringMatching(/^INC-\d{4}$/), status: 'detect', severity: 'SEV3' });
    const again = await token('POST', '/api/incidents', alert);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const listed = await as.compliance('GET', '/api/incidents?q=error%20rate');
    expect(listed.json.items.filter((i: { id: string }) => i.id === first.json.id)).toHaveLength(1);
    expect(listed.json.total).toBe(1);
  });

  it('numbers incidents without gaps: retried alerts and refused keys consume no number', async () => {
    const alert = {
      title: 'Disk almost full on db-1',
      description: 'Alertmanager: DiskFull firing',
      severity: 'SEV3',
      categories: ['availability'],
      externalKey: 'alertmanager:DiskFull:2026-12-06T02',
    };
    const first = await token('POST', '/api/incidents', alert);
    expect(first.status).toBe(201);
    expect((await token('POST', '/api/incidents', alert)).status).toBe(200);
    expect((await token('POST', '/api/incidents', alert)).status).toBe(200);
    expect((await as.viewer('POST', '/api/incidents', { ...breach(), externalKey: alert.externalKey })).status).toBe(
      409,
    );
    const next = await token('POST', '/api/incidents', {
      ...alert,
      externalKey: 'alertmanager:DiskFull:2026-12-06T03',
    });
    expect(next.status).toBe(201);
    const number = (ref: string) => Number(/^INC-(\d+)$/.exec(ref)![1]);
    expect(number(next.json.ref)).toBe(number(first.json.ref) + 1);
  });

  it('answers 409 without details when the key belongs to an incident the caller may not read', async () => {
    await as.compliance('POST', '/api/incidents', { ...breach(), externalKey: 'secret-key-1' });
    const res = await as.viewer('POST', '/api/incidents', { ...breach(), externalKey: 'secret-key-1' });
    expect(res.status).toBe(409);
    expect(res.json.code).toBe('incident.external_key_taken');
    expect(res.text).not.toContain('Lab results');
  });

  it('limits how many incidents one token reports a minute (429 problem+json)', async () => {
    const limited = client(
      t.baseUrl,
      (await as.owner('POST', '/api/tokens', { name: 'loop', expiresInDays: 1 })).json.token,
    );
    const statuses: number[] = [];
    for (let n = 0; n < LIMIT + 2; n++)
      statuses.push(
        (await limited('POST', '/api/incidents', { ...breach({ categories: ['other'] }), externalKey: `loop-${n}` }))
          .status,
      );
    expect(statuses.slice(0, LIMIT).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
  });

  it('names the field of bad input: unknown category, awareAt in the future, unknown severity', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [breach({ categories: ['weather'] }), 'categories'],
      [breach({ awareAt: new Date(Date.now() + HOUR).toISOString() }), 'awareAt'],
      [breach({ severity: 'SEV9' }), 'severity'],
      [breach({ detectedAt: '2026-12-01 10:00' }), 'detectedAt'],
      [breach({ detectedAt: ago(2), awareAt: ago(3) }), 'awareAt'],
      [breach({ adverseEventCategory: 'death_or_serious_injury' }), 'adverseEventCategory'],
    ];
    for (const [body, field] of cases) {
      const res = await as.owner('POST', '/api/incidents', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});

describe('access by role', () => {
  let pdpa: string;
  let clinical: string;
  let plain: string;
  beforeAll(async () => {
    pdpa = (await as.owner('POST', '/api/incidents', breach())).json.id;
    clinical = (
      await as.viewer('POST', '/api/incidents', {
        title: 'Dose calculator rounding error',
        description: 'Paediatric dose shown rounded up.',
        severity: 'SEV1',
        categories: ['clinical_safety'],
        adverseEventCategory: 'could_cause_death_or_serious_injury',
      })
    ).json.id;
    plain = (await as.compliance('POST', '/api/incidents', breach({ categories: ['availability'] }))).json.id;
  });

  it('lets the reporter read their own report, and nobody without a reason read the rest (404)', async () => {
    expect((await as.viewer('GET', `/api/incidents/${clinical}`)).status).toBe(200);
    expect((await as.viewer('GET', `/api/incidents/${pdpa}`)).status).toBe(404);
    expect((await as.owner('GET', `/api/incidents/${plain}`)).status).toBe(404);
    const viewerList = await as.viewer('GET', '/api/incidents');
    expect(viewerList.json.items.map((i: { id: string }) => i.id)).toEqual([clinical]);
  });

  it('gives the privacy officer every personal-data incident and the clinical owner every clinical one', async () => {
    expect((await as.privacy('GET', `/api/incidents/${pdpa}`)).status).toBe(200);
    expect((await as.privacy('GET', `/api/incidents/${clinical}`)).status).toBe(404);
    expect((await as.owner2('GET', `/api/incidents/${clinical}`)).status).toBe(200);
    expect((await as.owner2('GET', `/api/incidents/${pdpa}`)).status).toBe(404);
  });

  it('lets a reporter read but not change their report (403), and the commander run it once assigned', async () => {
    const refused = await as.owner('PATCH', `/api/incidents/${pdpa}`, { status: 'contain' });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('incident.not_yours');
    expect((await as.owner('GET', `/api/incidents/${plain}`)).status).toBe(404);
    await as.compliance('PATCH', `/api/incidents/${plain}`, { commanderUserId: ids.owner });
    const moved = await as.owner('PATCH', `/api/incidents/${plain}`, { status: 'contain' });
    expect(moved.status).toBe(200);
    expect(moved.json.acknowledgedAt).not.toBeNull();
  });

  it('keeps breach assessments and PDPA notices to the privacy officer, Thai FDA reports to clinical owners', async () => {
    expect((await as.compliance('POST', `/api/incidents/${pdpa}/breach-assessment`, assessment('risk'))).status).toBe(
      403,
    );
    expect((await as.privacy('POST', `/api/incidents/${pdpa}/breach-assessment`, assessment('risk'))).status).toBe(201);
    const fda = { kind: 'fda_initial', sentAt: new Date().toISOString(), channel: 'Thai FDA e-submission' };
    expect((await as.privacy('POST', `/api/incidents/${clinical}/notifications`, fda)).status).toBe(404);
    expect((await as.compliance('POST', `/api/incidents/${clinical}/notifications`, fda)).status).toBe(403);
    const sent = await as.owner2('POST', `/api/incidents/${clinical}/notifications`, fda);
    expect(sent.status).toBe(201);
    expect(sent.json.clocks.find((c: { key: string }) => c.key === 'adverse_event_report').state).toBe('met');
  });

  it('hides identities from an auditor inside an engagement, and shows incidents aware within the period', async () => {
    const res = await as.auditor('GET', `/api/incidents/${pdpa}`);
    expect(res.status).toBe(200);
    expect(res.json.reporter).toBeUndefined();
    expect(res.json.reporterRole).toBe('control_owner');
    expect(res.json.timeline.every((e: Record<string, unknown>) => !('actor' in e))).toBe(true);
    expect(res.text).not.toContain(ids.owner);
    expect((await as.auditor('PATCH', `/api/incidents/${pdpa}`, { status: 'fix' })).status).toBe(403);
  });

  it('shows the breach assessment only to who may read it: null (and no contents) for the viewer who reported', async () => {
    const id = (await as.viewer('POST', '/api/incidents', breach({ title: 'Viewer saw results of another patient' })))
      .json.id;
    expect((await as.privacy('POST', `/api/incidents/${id}/breach-assessment`, assessment('high_risk'))).status).toBe(
      201,
    );
    const reporter = await as.viewer('GET', `/api/incidents/${id}`);
    expect(reporter.status).toBe(200);
    expect(reporter.json.assessment).toBeNull();
    expect(reporter.json.clocks.find((c: { key: string }) => c.key === 'breach_subjects').state).toMatch(/running/);
    for (const content of ['Health data of identifiable patients', 'lab results', 'Disclosure of health data'])
      expect(reporter.text).not.toContain(content);
    const listed = await as.viewer('GET', '/api/incidents?q=another%20patient');
    expect(JSON.stringify(listed.json)).not.toContain('Health data of identifiable patients');
    for (const who of ['privacy', 'compliance', 'admin'] as const) {
      const res = await as[who]('GET', `/api/incidents/${id}`);
      expect([who, res.json.assessment]).toEqual([
        who,
        expect.objectContaining({ decision: 'high_risk', reasons: expect.stringContaining('Health data') }),
      ]);
    }
    expect((await as.auditor('GET', `/api/incidents/${id}`)).json.assessment).toBeNull();
  });

  it('names no person to an auditor: no user: refs or user ids in review, timeline, severities, notices, CAPAs', async () => {
    const id = (await as.owner('POST', '/api/incidents', breach({ title: 'Auditor sample with people on it' }))).json
      .id;
    await as.compliance('PATCH', `/api/incidents/${id}`, { commanderUserId: ids.owner2 });
    await as.compliance('PATCH', `/api/incidents/${id}`, { severity: 'SEV1', severityReason: 'More letters found' });
    await as.owner2('POST', `/api/incidents/${id}/timeline`, { kind: 'action', text: 'Stopped the batch job' });
    await as.privacy('POST', `/api/incidents/${id}/breach-assessment`, assessment('risk'));
    await as.privacy('POST', `/api/incidents/${id}/notifications`, {
      kind: 'pdpc_office',
      sentAt: new Date().toISOString(),
      channel: 'PDPC e-service',
    });
    await as.compliance('POST', `/api/incidents/${id}/capas`, {
      title: 'Address book sync check',
      ownerUserId: ids.owner,
      dueOn: '2027-01-15',
    });
    const reviewed = await as.compliance('POST', `/api/incidents/${id}/review`, {
      cause: 'Stale address cache',
      wentWell: 'Fast stop',
      toChange: 'Test syncs',
    });
    expect(reviewed.json.review.by).toBe(`user:${ids.compliance}`);

    const res = await as.auditor('GET', `/api/incidents/${id}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ reporterRole: 'control_owner', review: { cause: 'Stale address cache' } });
    expect(res.json.timeline.length).toBeGreaterThanOrEqual(5);
    expect(res.json.capas).toHaveLength(1);
    const listed = await as.auditor('GET', '/api/incidents?q=Auditor%20sample');
    expect(listed.json.items.map((i: { id: string }) => i.id)).toEqual([id]);
    for (const body of [JSON.stringify(res.json), JSON.stringify(listed.json)]) {
      expect(body).not.toContain('user:');
      for (const who of Object.keys(ids) as Who[]) expect([who, body.includes(ids[who])]).toEqual([who, false]);
    }
  });
});

describe('the breach clocks', () => {
  it('meets the Office clock with a notice at 71 h and asks a late notice for its reason', async () => {
    const inTime = (await as.privacy('POST', '/api/incidents', breach({ detectedAt: ago(80), awareAt: ago(75) }))).json
      .id;
    await as.privacy('POST', `/api/incidents/${inTime}/breach-assessment`, assessment('high_risk'));
    const at71 = new Date(Date.now() - 4 * HOUR).toISOString();
    const met = await as.privacy('POST', `/api/incidents/${inTime}/notifications`, {
      kind: 'pdpc_office',
      sentAt: at71,
      channel: 'PDPC e-service',
      reference: 'PDPC-2026-001',
    });
    expect(met.status).toBe(201);
    const office = met.json.clocks.find((c: { key: string }) => c.key === 'breach_office');
    expect(office).toMatchObject({ state: 'met', doneAt: new Date(at71).toISOString() });
    expect(met.json.clocks.find((c: { key: string }) => c.key === 'breach_subjects').state).toMatch(/running|due_soon/);

    const late = (await as.privacy('POST', '/api/incidents', breach({ detectedAt: ago(100), awareAt: ago(100) }))).json
      .id;
    const body = { kind: 'pdpc_office', sentAt: new Date().toISOString(), channel: 'PDPC e-service' };
    const refused = await as.privacy('POST', `/api/incidents/${late}/notifications`, body);
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].field).toBe('lateReason');
    const withReason = await as.privacy('POST', `/api/incidents/${late}/notifications`, {
      ...body,
      lateReason: 'The processor told us only on day 4.',
    });
    expect(withReason.status).toBe(201);
    expect(withReason.json.clocks.find((c: { key: string }) => c.key === 'breach_office')).toMatchObject({
      state: 'missed',
      lateReason: 'The processor told us only on day 4.',
      needsLateReason: false,
    });
  });

  it('refuses a notice dated before awareness, naming sentAt', async () => {
    const id = (await as.privacy('POST', '/api/incidents', breach({ detectedAt: ago(10), awareAt: ago(5) }))).json.id;
    const res = await as.privacy('POST', `/api/incidents/${id}/notifications`, {
      kind: 'pdpc_office',
      sentAt: ago(6),
      channel: 'PDPC e-service',
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe('sentAt');
  });

  it('owes no Office notice after a documented no-risk decision', async () => {
    const id = (await as.privacy('POST', '/api/incidents', breach({ detectedAt: ago(2) }))).json.id;
    const res = await as.privacy(
      'POST',
      `/api/incidents/${id}/breach-assessment`,
      assessment('no_risk', { sensitive: false }),
    );
    expect(res.json.clocks.find((c: { key: string }) => c.key === 'breach_office').state).toBe('not_owed');
    expect(res.json.assessment).toMatchObject({ decision: 'no_risk', reasons: expect.any(String) });
  });
});

describe('the FSCA clock', () => {
  it('asks a FSCA report sent more than 48 h after the action started for its reason', async () => {
    const id = (
      await as.viewer('POST', '/api/incidents', {
        title: 'Dose calculator recall',
        description: 'Field safety corrective action on the paediatric dose calculator.',
        severity: 'SEV2',
        categories: ['clinical_safety'],
        detectedAt: ago(60),
        awareAt: ago(60),
      })
    ).json.id;
    const started = await as.owner2('PATCH', `/api/incidents/${id}`, { fscaStartedAt: ago(49) });
    expect(started.status).toBe(200);
    expect(started.json.clocks.find((c: { key: string }) => c.key === 'fsca_report').state).toBe('overdue');
    const body = { kind: 'fsca_report', sentAt: new Date().toISOString(), channel: 'Thai FDA e-submission' };
    const refused = await as.owner2('POST', `/api/incidents/${id}/notifications`, body);
    expect(refused.status).toBe(400);
    expect(refused.json.errors.map((e: { field: string }) => e.field)).toEqual(['lateReason']);
    const withReason = await as.owner2('POST', `/api/incidents/${id}/notifications`, {
      ...body,
      lateReason: 'The supplier confirmed the affected versions only on day 3.',
    });
    expect(withReason.status).toBe(201);
    expect(withReason.json.clocks.find((c: { key: string }) => c.key === 'fsca_report')).toMatchObject({
      state: 'missed',
      lateReason: 'The supplier confirmed the affected versions only on day 3.',
      needsLateReason: false,
    });
  });
  it('refuses an FSCA on an incident without clinical_safety, and removing clinical_safety while one is recorded', async () => {
    const outage = (
      await as.compliance('POST', '/api/incidents', {
        title: 'Billing export stalled',
        description: 'The nightly billing export did not run.',
        severity: 'SEV3',
        categories: ['availability'],
      })
    ).json.id;
    for (const field of ['fscaStartedAt', 'fscaClosedAt']) {
      const res = await as.compliance('PATCH', `/api/incidents/${outage}`, { [field]: ago(1) });
      expect(res.status).toBe(400);
      expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await as.compliance('GET', `/api/incidents/${outage}`)).json).toMatchObject({
      fscaStartedAt: null,
      fscaClosedAt: null,
    });

    const recall = (
      await as.compliance('POST', '/api/incidents', {
        title: 'Infusion rate table recall',
        description: 'Field safety corrective action on the infusion rate table.',
        severity: 'SEV2',
        categories: ['clinical_safety', 'security'],
      })
    ).json.id;
    expect((await as.compliance('PATCH', `/api/incidents/${recall}`, { fscaStartedAt: ago(1) })).status).toBe(200);
    const removed = await as.compliance('PATCH', `/api/incidents/${recall}`, { categories: ['security'] });
    expect(removed.status).toBe(400);
    expect(removed.json.errors.map((e: { field: string }) => e.field)).toEqual(['categories']);
    expect((await as.compliance('GET', `/api/incidents/${recall}`)).json.categories).toContain('clinical_safety');
    const cleared = await as.compliance('PATCH', `/api/incidents/${recall}`, {
      categories: ['security'],
      fscaStartedAt: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json).toMatchObject({ categories: ['security'], fscaStartedAt: null });
  });
});

describe('severity, lifecycle and closing', () => {
  it('records who changed the severity and why, and refuses a change without a reason', async () => {
    const id = (await as.compliance('POST', '/api/incidents', breach({ severity: 'SEV3', categories: ['security'] })))
      .json.id;
    const noReason = await as.compliance('PATCH', `/api/incidents/${id}`, { severity: 'SEV1' });
    expect(noReason.status).toBe(400);
    expect(noReason.json.errors[0].field).toBe('severityReason');
    const raised = await as.compliance('PATCH', `/api/incidents/${id}`, {
      severity: 'SEV1',
      severityReason: 'Customer data exposed',
    });
    expect(raised.json.severities.map((s: { severity: string }) => s.severity)).toEqual(['SEV3', 'SEV1']);
    expect(raised.json.severities[1]).toMatchObject({
      reason: 'Customer data exposed',
      actor: `user:${ids.compliance}`,
    });
    expect(raised.json.peakSeverity).toBe('SEV1');
  });

  it('closes a SEV2 only after its review and with every CAPA done or accepted', async () => {
    const id = (await as.compliance('POST', '/api/incidents', breach({ categories: ['security'] }))).json.id;
    const early = await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'closed' });
    expect(early.status).toBe(400);
    expect(early.json.code).toBe('incident.cannot_close');
    const capa = await as.compliance('POST', `/api/incidents/${id}/capas`, {
      title: 'Address book sync test',
      ownerUserId: ids.owner,
      dueOn: '2027-01-15',
    });
    expect(capa.status).toBe(201);
    await as.compliance('POST', `/api/incidents/${id}/review`, {
      cause: 'Stale address cache',
      wentWell: 'Fast stop',
      toChange: 'Test syncs',
    });
    const stillOpen = await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'closed' });
    expect(stillOpen.status).toBe(400);
    expect(stillOpen.json.detail).toContain('Address book sync test');
    // The CAPA owner reads the incident through their action and may close their action, nothing else.
    expect((await as.owner('GET', `/api/incidents/${id}`)).status).toBe(200);
    const capaId = capa.json.capas[0].id;
    const noEvidence = await as.owner('PATCH', `/api/incidents/${id}/capas/${capaId}`, { status: 'done' });
    expect(noEvidence.json.errors[0].field).toBe('verificationEvidenceId');
    const accepted = await as.owner('PATCH', `/api/incidents/${id}/capas/${capaId}`, {
      status: 'accepted',
      note: 'Covered by the Q1 rewrite',
    });
    expect(accepted.status).toBe(200);
    const closed = await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
    const after = await as.compliance('PATCH', `/api/incidents/${id}`, { title: 'changed' });
    expect(after.status).toBe(409);
    expect((await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'fix' })).status).toBe(409);
  });

  it('writes a correction of the facts into the timeline, with the old and new awareness and categories', async () => {
    const id = (await as.compliance('POST', '/api/incidents', breach({ detectedAt: '2026-12-01T10:00:00+07:00' }))).json
      .id;
    const res = await as.compliance('PATCH', `/api/incidents/${id}`, {
      awareAt: '2026-12-01T16:59:00Z',
      categories: ['personal_data_breach'],
      title: 'Lab results e-mailed to two wrong patients',
    });
    expect(res.status).toBe(200);
    const corrections = res.json.timeline.filter((e: { kind: string }) => e.kind === 'correction');
    expect(corrections.map((e: { text: string }) => e.text)).toEqual([
      expect.stringMatching(
        /^Facts corrected: title; categories personal_data_breach, security → personal_data_breach; awareAt \w{3} \d+ Dec 2026, \d\d:\d\d \(Asia\/Bangkok\) → Tue 1 Dec 2026, 23:59 \(Asia\/Bangkok\)$/,
      ),
    ]);
    // A change of status or commander alone corrects no fact.
    const moved = await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'contain' });
    expect(moved.json.timeline.filter((e: { kind: string }) => e.kind === 'correction')).toHaveLength(1);
  });

  it('refuses going back in the cycle and a stale version', async () => {
    const id = (await as.compliance('POST', '/api/incidents', breach({ categories: ['other'], severity: 'SEV4' }))).json
      .id;
    const fixed = await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'fix' });
    const back = await as.compliance('PATCH', `/api/incidents/${id}`, { status: 'contain' });
    expect(back.status).toBe(400);
    expect(back.json.errors[0].field).toBe('status');
    const stale = await as.compliance('PATCH', `/api/incidents/${id}`, {
      version: fixed.json.version - 1,
      title: 'x y z',
    });
    expect(stale.status).toBe(409);
    expect(stale.json.code).toBe('incident.version_conflict');
  });

  it('answers 404 for ids that are not incidents, and 400 naming id for ids that are not UUIDs', async () => {
    expect((await as.compliance('GET', '/api/incidents/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await as.compliance('GET', '/api/incidents/INC-1');
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe('id');
  });
});

describe('raising a new risk from an incident (ISO 14971 clause 10)', () => {
  let clinical: string;
  const hazard = (extra: Record<string, unknown> = {}) => ({
    register: 'iso14971',
    ref: 'HAZ-901',
    product: 'Attest Triage app',
    title: 'Paediatric dose rounded up',
    hazard: 'Wrong dose shown',
    hazardousSituation: 'Nurse gives the rounded dose',
    harm: 'Overdose',
    severity: 'S4',
    probability: 'remote',
    ...extra,
  });
  const risksOf = async (id: string) => (await as.compliance('GET', `/api/incidents/${id}`)).json;
  beforeAll(async () => {
    clinical = (
      await as.viewer('POST', '/api/incidents', {
        title: 'Dose rounding seen again',
        description: 'A nurse reported the rounded paediatric dose.',
        severity: 'SEV2',
        categories: ['clinical_safety'],
        adverseEventCategory: 'could_cause_death_or_serious_injury',
      })
    ).json.id;
  });

  it('adds the hazard to the register, owned by the clinical owner, and links it with a timeline entry', async () => {
    const res = await as.owner2('POST', `/api/incidents/${clinical}/risks`, hazard());
    expect(res.status).toBe(201);
    expect(res.json.risks).toEqual([
      { id: expect.any(String), register: 'iso14971', ref: 'HAZ-901', title: 'Paediatric dose rounded up' },
    ]);
    const entry = res.json.timeline.filter((e: { kind: string }) => e.kind === 'risk');
    expect(entry).toEqual([expect.objectContaining({ text: 'New hazard HAZ-901: Paediatric dose rounded up' })]);
    const risk = await as.compliance('GET', `/api/risks/${res.json.risks[0].id}`);
    expect(risk.status).toBe(200);
    expect(risk.json).toMatchObject({ ref: 'HAZ-901', ownerUserId: ids.owner2, severity: 'S4', level: 'alara' });
  });

  it('refuses a taken ref (409) and an incomplete hazard chain (400 naming the field), linking nothing', async () => {
    const taken = await as.owner2('POST', `/api/incidents/${clinical}/risks`, hazard());
    expect(taken.status).toBe(409);
    expect(taken.json.code).toBe('risk.ref_taken');
    const chain = await as.owner2('POST', `/api/incidents/${clinical}/risks`, hazard({ ref: 'HAZ-902', harm: null }));
    expect(chain.status).toBe(400);
    expect(chain.json.errors.map((e: { field: string }) => e.field)).toEqual(['harm']);
    const level = await as.owner2(
      'POST',
      `/api/incidents/${clinical}/risks`,
      hazard({ ref: 'HAZ-903', severity: 'S9' }),
    );
    expect(level.status).toBe(400);
    expect(level.json.errors.map((e: { field: string }) => e.field)).toContain('severity');
    const after = await risksOf(clinical);
    expect(after.risks.map((r: { ref: string }) => r.ref)).toEqual(['HAZ-901']);
    expect(after.timeline.filter((e: { kind: string }) => e.kind === 'risk')).toHaveLength(1);
    const listed = await as.compliance('GET', '/api/risks?register=iso14971&q=HAZ-90');
    expect(listed.json.items.map((r: { ref: string }) => r.ref)).toEqual(['HAZ-901']);
  });

  it('needs the right to change the incident (403 for its reporter, 404 for who may not see it)', async () => {
    const reporter = await as.viewer('POST', `/api/incidents/${clinical}/risks`, hazard({ ref: 'HAZ-904' }));
    expect(reporter.status).toBe(403);
    expect((await as.privacy('POST', `/api/incidents/${clinical}/risks`, hazard({ ref: 'HAZ-905' }))).status).toBe(404);
    expect((await risksOf(clinical)).risks).toHaveLength(1);
  });

  it('lets a compliance manager raise a security risk from a security incident', async () => {
    const sec = (await as.compliance('POST', '/api/incidents', breach({ categories: ['security'] }))).json.id;
    const res = await as.compliance('POST', `/api/incidents/${sec}/risks`, {
      register: 'security',
      ref: 'SEC-901',
      product: 'Patient platform',
      title: 'Address book sync overwrites recipients',
      severity: 'I3',
      probability: 'L3',
    });
    expect(res.status).toBe(201);
    expect(res.json.risks).toEqual([expect.objectContaining({ register: 'security', ref: 'SEC-901' })]);
    expect(res.json.timeline.find((e: { kind: string }) => e.kind === 'risk').text).toBe(
      'New security risk SEC-901: Address book sync overwrites recipients',
    );
  });
});

describe('the notification draft', () => {
  it('gives the privacy officer a PDF filled from the assessment, and nobody else', async () => {
    const id = (await as.privacy('POST', '/api/incidents', breach({ detectedAt: ago(3) }))).json.id;
    const none = await as.privacy('GET', `/api/incidents/${id}/notification-draft.pdf`);
    expect(none.status).toBe(422);
    expect(none.json.code).toBe('incident.no_assessment');
    await as.privacy('POST', `/api/incidents/${id}/breach-assessment`, assessment('high_risk'));
    const res = await fetch(`${t.baseUrl}/api/incidents/${id}/notification-draft.pdf`, {
      headers: { cookie: await login(t.baseUrl, DEMO.privacy) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/INC-\d{4}-breach-notice-draft\.pdf/);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect((await as.owner('GET', `/api/incidents/${id}/notification-draft.pdf`)).status).toBe(403);
  });
});

describe('an invalid policy file', () => {
  it('starts the server; incident routes answer 422 naming file:line, the rest works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attest-controls-'));
    cpSync(t.config.controlsDir, dir, { recursive: true });
    const file = join(dir, 'incident-policy.yaml');
    const text = readFileSync(file, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('key: SEV2')) + 1;
    writeFileSync(file, text.replace(/(key: SEV2, name: \w+, acknowledgeHours: )\d+/, '$1-4'));
    const broken = await startTestApp({ env: { DEMO: '1', CONTROLS_DIR: dir } });
    try {
      const api = client(broken.baseUrl, await login(broken.baseUrl, DEMO.compliance));
      const res = await api('POST', '/api/incidents', breach());
      expect([res.status, res.json.code]).toEqual([422, 'incident.policy_invalid']);
      expect(res.json.detail).toContain(`incident-policy.yaml:${line}: severities.1.acknowledgeHours`);
      expect((await api('GET', '/api/controls?limit=1')).status).toBe(200);
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
