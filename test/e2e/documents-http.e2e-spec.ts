// Controlled documents over HTTP as the demo personas (issue 17): a policy drafted by its owner department,
// submitted (content frozen: 409), signed with the password again (a wrong one refused and audited), approved
// by the type's quorum, published (the one before superseded), read by its audience only, compared by diff;
// every refusal as problem+json.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'privacy' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let ids: Record<Who, string>;

const KEY = 'POL-E2E-ENG';
const V1 = '# Engineering access policy\n\nEvery production account uses SSO.\nAccess is reviewed quarterly.\n';
const V2 =
  '# Engineering access policy\n\nEvery production account uses SSO with a hardware key.\nAccess is reviewed quarterly.\nLeavers lose access the same day.\n';
const V2B = V2.replace('hardware key', 'FIDO2 hardware key');
const base = `/api/documents/${KEY}`;

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, code?: string) {
  expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([status, 'application/problem+json']);
  if (code) expect(res.json.code).toBe(code);
}
const fields = (res: { json: any }) => (res.json.errors ?? []).map((e: { field: string }) => e.field);

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {} as typeof as;
  ids = {} as typeof ids;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'privacy', 'auditor', 'viewer'] as const) {
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
}, 120_000);
afterAll(async () => t?.close());

const newPolicy = (extra: Record<string, unknown> = {}) => ({
  key: KEY,
  title: 'Engineering access policy',
  type: 'policy',
  ownerDepartment: 'engineering',
  audience: { everyone: false, roles: ['viewer'], departments: ['engineering'] },
  controls: ['ACC-02'],
  ...extra,
});

describe('demo data', () => {
  it('holds the seed policies of policies/ as drafts: compliance sees them, the audience not yet', async () => {
    const listed = await as.compliance('GET', '/api/documents?limit=100');
    const keys = listed.json.items.map((d: { key: string }) => d.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        ...['POL-ACCESS', 'POL-ISMS', 'POL-KEYS', 'POL-PRIVACY', 'POL-RETENTION', 'POL-VULN'],
        ...['PRC-DSR', 'PLN-INCIDENT', 'PLN-14971-RMP', 'PLN-62304-SDP'],
      ]),
    );
    const plan = (await as.compliance('GET', '/api/documents/PLN-62304-SDP')).json;
    expect(plan).toMatchObject({ type: 'plan', ownerDepartment: 'engineering', publishedVersion: null });
    expect(plan.controls).toEqual(expect.arrayContaining(['ENG-07', 'ENG-08']));
    const vuln = (await as.compliance('GET', '/api/documents/POL-VULN/versions/1')).json;
    expect(vuln.content).toContain('**14 days**, then retested');
    const keysPolicy = await as.compliance('GET', '/api/documents/POL-KEYS');
    expect(keysPolicy.json).toMatchObject({ publishedVersion: null, controls: ['ACC-04', 'ACC-05', 'ENG-02'] });
    expect(keysPolicy.json.versions).toEqual([expect.objectContaining({ number: 1, status: 'draft' })]);
    expect((await as.compliance('GET', '/api/documents/POL-KEYS/versions/1')).json.content).toContain('**30 days**');
    expectProblem(await as.viewer('GET', '/api/documents/POL-ISMS'), 404);
  });
});

describe('bad input is a 400 naming the field, never a 500', () => {
  it('names each field of a bad document', async () => {
    const res = await as.compliance('POST', '/api/documents', {
      key: 'bad key',
      type: 'memo',
      ownerDepartment: 'Engineering!',
      audience: { everyone: 'yes', roles: ['overlord'] },
      controls: ['nope'],
    });
    expectProblem(res, 400, 'request.invalid');
    expect(fields(res)).toEqual(
      expect.arrayContaining([
        'key',
        'title',
        'type',
        'ownerDepartment',
        'audience.everyone',
        'audience.roles',
        'controls',
      ]),
    );
  });

  it('names an unknown department, owner or control (checked against the database)', async () => {
    const res = await as.compliance(
      'POST',
      '/api/documents',
      newPolicy({
        key: 'POL-E2E-BAD',
        ownerDepartment: 'nowhere',
        ownerUserId: '00000000-0000-4000-8000-000000000000',
        controls: ['ZZZ-99'],
      }),
    );
    expectProblem(res, 400);
    expect(fields(res)).toEqual(expect.arrayContaining(['ownerUserId', 'ownerDepartment', 'controls']));
  });

  it('refuses NUL bytes, huge text and impossible days', async () => {
    expectProblem(await as.compliance('POST', '/api/documents', newPolicy({ title: 'a\u0000b' })), 400);
    expect(fields(await as.compliance('POST', '/api/documents', newPolicy({ title: 'x'.repeat(5000) })))).toEqual([
      'title',
    ]);
  });
});

describe('the lifecycle of a policy', () => {
  it('an owner creates their department’s document, not another’s; a viewer cannot create', async () => {
    expectProblem(await as.owner('POST', '/api/documents', newPolicy({ ownerDepartment: 'clinical' })), 403);
    expectProblem(await as.viewer('POST', '/api/documents', newPolicy()), 403);
    const created = await as.owner('POST', '/api/documents', newPolicy());
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      key: KEY,
      type: 'policy',
      ownerDepartment: 'engineering',
      ownerUserId: ids.owner,
      reviewCadenceMonths: 12,
      publishedVersion: null,
      controls: ['ACC-02'],
      versions: [],
    });
    expectProblem(await as.compliance('POST', '/api/documents', newPolicy()), 409, 'document.key_taken');
  });

  it('drafts, edits the draft, and bad version input names the field', async () => {
    const bad = await as.owner('POST', `${base}/versions`, { content: '', material: 'yes', effectiveOn: '2026-02-30' });
    expectProblem(bad, 400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['content', 'changeSummary', 'material', 'effectiveOn']));
    const v1 = await as.owner('POST', `${base}/versions`, {
      content: 'draft',
      changeSummary: 'First issue',
      material: true,
    });
    expect(v1.status).toBe(201);
    expect(v1.json).toMatchObject({ number: 1, status: 'draft', round: 0 });
    const edited = await as.owner('PATCH', `${base}/versions/1`, { content: V1 });
    expect(edited.json.content).toBe(V1);
    expect(edited.json.sha256).not.toBe(v1.json.sha256);
    expectProblem(
      await as.owner('POST', `${base}/versions`, { content: 'x', changeSummary: 'y', material: false }),
      409,
      'document.open_version_exists',
    );
  });

  it('what is not published is invisible (404) outside the owner department and compliance', async () => {
    for (const who of ['viewer', 'owner2', 'privacy', 'auditor'] as const) {
      expectProblem(await as[who]('GET', base), 404, 'document.not_found');
      expect((await as[who]('GET', '/api/documents')).json.items.map((d: { key: string }) => d.key)).not.toContain(KEY);
    }
    expect((await as.compliance('GET', base)).status).toBe(200);
    expect((await as.owner('GET', '/api/documents')).json.items.map((d: { key: string }) => d.key)).toContain(KEY);
  });

  it('submission freezes the content (409) and a draft cannot be signed before it', async () => {
    expectProblem(
      await as.compliance('POST', `${base}/versions/1/sign`, { password: DEMO_PASSWORD, meaning: 'approved' }),
      409,
      'document.wrong_status',
    );
    const submitted = await as.owner('POST', `${base}/versions/1/submit`);
    expect(submitted.json).toMatchObject({ status: 'in_review', round: 1 });
    expect(submitted.json.approval).toEqual({
      met: false,
      required: ['a compliance_manager', 'someone of the owner department'],
      missing: ['a compliance_manager', 'someone of the owner department'],
    });
    expectProblem(
      await as.owner('PATCH', `${base}/versions/1`, { content: 'changed after submission' }),
      409,
      'document.version_frozen',
    );
    expectProblem(await as.owner('POST', `${base}/versions/1/submit`), 409, 'document.wrong_status');
    expect((await as.owner('GET', `${base}/versions/1`)).json.content).toBe(V1);
  });

  it('signing: bad input 400, wrong password 403 and audited, those who may not know it 404, non-approvers 403', async () => {
    const noPassword = await as.compliance('POST', `${base}/versions/1/sign`, { meaning: 'maybe' });
    expectProblem(noPassword, 400);
    expect(fields(noPassword)).toEqual(expect.arrayContaining(['password', 'meaning']));
    expectProblem(
      await as.compliance('POST', `${base}/versions/abc/sign`, { password: 'x', meaning: 'approved' }),
      400,
    );

    const wrong = await as.compliance('POST', `${base}/versions/1/sign`, {
      password: 'not-my-password',
      meaning: 'approved',
    });
    expectProblem(wrong, 403, 'document.wrong_password');
    const refused = await as.admin('GET', '/api/audit-trail?action=document.sign_refused');
    expect(refused.json.items[0]).toMatchObject({
      actor: `user:${ids.compliance}`,
      action: 'document.sign_refused',
      subjectType: 'Document',
      data: { key: KEY, version: 1, meaning: 'approved', reason: 'wrong_password' },
    });
    expect(JSON.stringify(refused.json.items[0])).not.toContain('not-my-password');
    expect((await as.owner('GET', `${base}/versions/1`)).json.signatures).toEqual([]);

    expectProblem(
      await as.owner2('POST', `${base}/versions/1/sign`, { password: DEMO_PASSWORD, meaning: 'approved' }),
      404,
    );
    expectProblem(
      await as.viewer('POST', `${base}/versions/1/sign`, { password: DEMO_PASSWORD, meaning: 'approved' }),
      403,
    );
    // An API token cannot sign, even with the password.
    const token = (await as.compliance('POST', '/api/tokens', { name: 'doc-sign' })).json.token as string;
    expectProblem(
      await client(t.baseUrl, token)('POST', `${base}/versions/1/sign`, {
        password: DEMO_PASSWORD,
        meaning: 'approved',
      }),
      403,
      'document.signature_needs_session',
    );
  });

  it('the quorum: compliance manager and owner department sign, then it is approved; each signature binds the hash', async () => {
    const first = await as.compliance('POST', `${base}/versions/1/sign`, {
      password: DEMO_PASSWORD,
      meaning: 'approved',
    });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      status: 'in_review',
      approval: { met: false, missing: ['someone of the owner department'] },
    });
    expectProblem(
      await as.compliance('POST', `${base}/versions/1/sign`, { password: DEMO_PASSWORD, meaning: 'approved' }),
      409,
      'document.already_signed',
    );
    const second = await as.owner('POST', `${base}/versions/1/sign`, { password: DEMO_PASSWORD, meaning: 'approved' });
    expect(second.json).toMatchObject({ status: 'approved', approval: { met: true, missing: [] } });
    expect(second.json.signatures).toEqual([
      expect.objectContaining({ signerUserId: ids.compliance, meaning: 'approved', round: 1, valid: true }),
      expect.objectContaining({ signerUserId: ids.owner, meaning: 'approved', round: 1, valid: true }),
    ]);
    for (const s of second.json.signatures) expect(s.versionSha256).toBe(second.json.sha256);
    const signed = await as.admin('GET', '/api/audit-trail?action=document.sign');
    expect(signed.json.items.length).toBe(2);
  });

  it('only a compliance manager publishes; then the audience reads it and nobody else', async () => {
    expectProblem(await as.owner('POST', `${base}/versions/1/publish`, {}), 403);
    expectProblem(await as.compliance('POST', `${base}/versions/1/publish`, { effectiveOn: '2026-13-01' }), 400);
    const published = await as.compliance('POST', `${base}/versions/1/publish`, { effectiveOn: '2026-01-31' });
    expect(published.json).toMatchObject({ status: 'published', effectiveOn: '2026-01-31' });
    expect((await as.compliance('GET', base)).json).toMatchObject({ publishedVersion: 1, nextReviewOn: '2027-01-31' });
    expectProblem(await as.compliance('POST', `${base}/versions/1/publish`, {}), 409, 'document.wrong_status');

    // Audience: engineering and viewers. The clinical control owner and the privacy officer do not see it.
    const viewer = await as.viewer('GET', base);
    expect(viewer.json.versions.map((v: { number: number }) => v.number)).toEqual([1]);
    expect((await as.viewer('GET', `${base}/versions/1`)).json.content).toBe(V1);
    expect((await as.viewer('GET', '/api/documents')).json.items.map((d: { key: string }) => d.key)).toContain(KEY);
    for (const who of ['owner2', 'privacy'] as const) {
      expectProblem(await as[who]('GET', base), 404);
      expect((await as[who]('GET', '/api/documents')).json.items.map((d: { key: string }) => d.key)).not.toContain(KEY);
    }
    // The auditor (SOC 2 engagement, this year) reads the published version with its approvals.
    const audited = await as.auditor('GET', `${base}/versions/1`);
    expect(audited.json.signatures.map((s: { valid: boolean }) => s.valid)).toEqual([true, true]);
    expect((await as.auditor('GET', '/api/documents')).json.items.map((d: { key: string }) => d.key)).toContain(KEY);
  });

  it('a rejection returns the draft; the next round needs new signatures; v2 supersedes v1', async () => {
    await as.owner('POST', `${base}/versions`, {
      content: V2,
      changeSummary: 'Hardware keys; leavers',
      material: true,
    });
    await as.owner('POST', `${base}/versions/2/submit`);
    expectProblem(await as.compliance('POST', `${base}/versions/2/reject`, { reason: '' }), 400);
    const rejected = await as.compliance('POST', `${base}/versions/2/reject`, { reason: 'Say which hardware keys.' });
    expect(rejected.json).toMatchObject({ status: 'draft', round: 1 });
    expect(rejected.json.signatures).toEqual([
      expect.objectContaining({ meaning: 'rejected', reason: 'Say which hardware keys.', valid: true }),
    ]);
    const edited = await as.owner('PATCH', `${base}/versions/2`, {
      content: V2B,
    });
    expect(edited.json.status).toBe('draft');
    expect((await as.owner('POST', `${base}/versions/2/submit`)).json).toMatchObject({ status: 'in_review', round: 2 });
    await as.owner('POST', `${base}/versions/2/sign`, { password: DEMO_PASSWORD, meaning: 'approved' });
    const approved = await as.compliance('POST', `${base}/versions/2/sign`, {
      password: DEMO_PASSWORD,
      meaning: 'approved',
    });
    expect(approved.json.status).toBe('approved');

    // v1's signatures belong to v1: bound to v1's hash, never listed on v2.
    const v1 = (await as.compliance('GET', `${base}/versions/1`)).json;
    expect(approved.json.signatures.map((s: { id: string }) => s.id)).not.toEqual(
      expect.arrayContaining([v1.signatures[0].id]),
    );
    expect(v1.signatures[0].versionSha256).toBe(v1.sha256);
    expect(v1.signatures[0].versionSha256).not.toBe(approved.json.sha256);

    await as.compliance('POST', `${base}/versions/2/publish`, {});
    expect((await as.compliance('GET', `${base}/versions/1`)).json.status).toBe('superseded');
    expect((await as.viewer('GET', base)).json).toMatchObject({ publishedVersion: 2 });
  });

  it('a readable diff between two versions; a draft stays out of readers’ reach', async () => {
    const diff = await as.viewer('GET', `${base}/versions/2/diff?against=1`);
    expect(diff.json).toMatchObject({ documentKey: KEY, from: 1, to: 2, added: 2, removed: 1 });
    expect(diff.json.hunks).toContainEqual({
      kind: 'removed',
      fromLine: 3,
      toLine: null,
      lines: ['Every production account uses SSO.'],
    });
    expectProblem(await as.viewer('GET', `${base}/versions/2/diff`), 400);
    expect(new Set(fields(await as.viewer('GET', `${base}/versions/2/diff?against=x`)))).toEqual(new Set(['against']));

    await as.owner('POST', `${base}/versions`, {
      content: V2B + 'Draft line.\n',
      changeSummary: 'draft',
      material: false,
    });
    expectProblem(await as.viewer('GET', `${base}/versions/3`), 404);
    expectProblem(await as.viewer('GET', `${base}/versions/3/diff?against=2`), 404);
    expect((await as.viewer('GET', base)).json.versions.map((v: { number: number }) => v.number)).toEqual([2, 1]);
    expect((await as.owner('GET', `${base}/versions/3/diff?against=2`)).json).toMatchObject({ added: 1, removed: 0 });
  });

  it('changes of the document: owners their own; handing it to another department is refused', async () => {
    expectProblem(await as.owner('PATCH', base, { ownerDepartment: 'clinical' }), 403, 'document.not_yours');
    expectProblem(await as.viewer('PATCH', base, { title: 'x' }), 403);
    expectProblem(await as.owner2('PATCH', base, { title: 'x' }), 404);
    const changed = await as.owner('PATCH', base, {
      title: 'Engineering access policy (2026)',
      controls: ['ACC-02', 'ACC-03'],
    });
    expect(changed.json).toMatchObject({ title: 'Engineering access policy (2026)', controls: ['ACC-02', 'ACC-03'] });
    expect(fields(await as.owner('PATCH', base, { reviewCadenceMonths: 0 }))).toEqual(['reviewCadenceMonths']);
  });

  it('password attempts at signing are limited like sign-in (429 past LOGIN_RATE_LIMIT a minute)', async () => {
    await as.owner('POST', `${base}/versions/3/submit`);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await as.owner('POST', `${base}/versions/3/sign`, { password: `guess-${i}`, meaning: 'approved' })).status,
      );
    // The owner signed twice earlier this minute (v1, v2): those count too.
    expect(statuses.filter((s) => s === 403).length).toBeLessThanOrEqual(8);
    expect(statuses.at(-1)).toBe(429);
    expectProblem(
      await as.owner('POST', `${base}/versions/3/sign`, { password: DEMO_PASSWORD, meaning: 'approved' }),
      429,
    );
  });

  it('the audit trail holds every step and still verifies', async () => {
    const trail = await as.admin('GET', `/api/audit-trail?subjectType=Document&limit=100`);
    const actions = trail.json.items.map((e: { action: string }) => e.action);
    for (const a of [
      'document.create',
      'document.version_create',
      'document.submit',
      'document.sign',
      'document.reject',
      'document.publish',
    ])
      expect(actions).toContain(a);
    expect((await as.admin('GET', '/api/audit-trail/verify')).json.ok).toBe(true);
  });
});
