// Controlled documents as evidence (issue 17), over HTTP on the real catalog (DEMO=1): the weekly sweep's
// `policy-status` collector snapshots, per control a document supports (and for GOV-02, which names the
// collector), the approval records and the acknowledgement roster of the documents in force, dated by the
// sweep's week and content-addressed; an audit pack lists each document in force during its period with its
// versions, effective days, approvers and signature times and the acknowledgement counts at the period's
// end, in the PDF and as policy-index.json in the ZIP (hashed in manifest.json); the counts at an instant
// between two acknowledgements are exact.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { dayOf, endOfDay, startOfDay } from '../../src/common/time/days';
import { DocumentEvidenceService } from '../../src/documents/document-evidence.service';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { unzip } from '../support/zip';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

type Who = 'admin' | 'compliance' | 'owner' | 'viewer' | 'auditor';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let cookies: Record<Who, string>;
let ids: Record<Who, string>;
let work: string;

const KEY = 'POL-EVID-E2E';
const base = `/api/documents/${KEY}`;
const WEEK = '2027-W01'; // Monday 4 January to Sunday 10 January 2027
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function bytes(who: Who, path: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(t.baseUrl + path, { headers: { cookie: cookies[who] } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** Who the audience (engineering + viewers) is: active users. */
async function audience(): Promise<string[]> {
  const users = (await as.admin('GET', '/api/users?limit=200')).json.items as {
    id: string;
    role: string;
    departmentKey: string | null;
    active: boolean;
  }[];
  return users
    .filter((u) => u.active && (u.role === 'viewer' || u.departmentKey === 'engineering'))
    .map((u) => u.id)
    .sort();
}

let v1sha: string;
let people: string[];
/** Instants around the two acknowledgements: before the viewer's, between it and the owner's, after both. */
const at: { published: Date; beforeFirst: Date; between: Date; afterBoth: Date } = {} as never;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {} as typeof as;
  cookies = {} as typeof cookies;
  ids = {} as typeof ids;
  for (const who of ['admin', 'compliance', 'owner', 'viewer', 'auditor'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
  work = mkdtempSync(join(tmpdir(), 'attest-docevidence-'));

  const created = await as.compliance('POST', '/api/documents', {
    key: KEY,
    title: 'Secure development policy',
    type: 'policy',
    ownerDepartment: 'engineering',
    ownerUserId: ids.owner,
    audience: { everyone: false, roles: ['viewer'], departments: ['engineering'] },
    controls: ['ACC-01', 'PRV-01'],
  });
  expect(created.status).toBe(201);
  const v = await as.compliance('POST', `${base}/versions`, {
    content: '# Secure development\n\nEvery change is reviewed.\n',
    changeSummary: 'First issue',
    material: true,
  });
  expect(v.status).toBe(201);
  expect((await as.compliance('POST', `${base}/versions/1/submit`)).status).toBe(200);
  for (const who of ['compliance', 'owner'] as const)
    expect(
      (await as[who]('POST', `${base}/versions/1/sign`, { password: DEMO_PASSWORD, meaning: 'approved' })).status,
    ).toBe(200);
  at.published = new Date();
  const published = await as.compliance('POST', `${base}/versions/1/publish`, {});
  expect(published.json).toMatchObject({ status: 'published' });
  v1sha = published.json.sha256;
  people = await audience();
  expect(people).toEqual(expect.arrayContaining([ids.owner, ids.viewer]));

  const task = async (who: Who) =>
    ((await as[who]('GET', '/api/me/acknowledgements')).json.items as { id: string; documentKey: string }[]).find(
      (i) => i.documentKey === KEY,
    )!;
  at.beforeFirst = new Date();
  await new Promise((r) => setTimeout(r, 5));
  expect((await as.viewer('POST', `/api/acknowledgements/${(await task('viewer')).id}/acknowledge`)).status).toBe(200);
  await new Promise((r) => setTimeout(r, 5));
  at.between = new Date();
  await new Promise((r) => setTimeout(r, 5));
  expect((await as.owner('POST', `/api/acknowledgements/${(await task('owner')).id}/acknowledge`)).status).toBe(200);
  await new Promise((r) => setTimeout(r, 5));
  at.afterBoth = new Date();
}, 180_000);
afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the policy-status collector in the weekly sweep', () => {
  let snapshots: Map<string, { item: any; data: any; bytes: Buffer }>;

  beforeAll(async () => {
    const opened = await as.compliance('POST', '/api/sweeps', { week: WEEK });
    expect(opened.status).toBe(200);
    expect(opened.json).toMatchObject({ week: WEEK, created: true });
    snapshots = new Map();
    for (const control of ['ACC-01', 'PRV-01', 'GOV-02', 'OPS-01']) {
      const list = await as.compliance('GET', `/api/evidence?control=${control}&limit=100`);
      expect(list.status).toBe(200);
      const item = (list.json.items as any[]).find(
        (i) => i.source === 'collector:policy-status' && i.periodStart === '2027-01-04',
      );
      if (!item) continue;
      const file = await bytes('compliance', `/api/evidence/${item.id}/download`);
      expect(file.status).toBe(200);
      snapshots.set(control, { item, data: JSON.parse(file.body.toString('utf8')), bytes: file.body });
    }
  });

  it('gives each control a document supports, and GOV-02 (which names it), one item dated by the week', () => {
    expect([...snapshots.keys()].sort()).toEqual(['ACC-01', 'GOV-02', 'PRV-01']);
    for (const [control, { item, data }] of snapshots) {
      expect(item).toMatchObject({
        kind: 'snapshot',
        title: `policy-status snapshot, ${WEEK}, ${control}`,
        periodStart: '2027-01-04',
        periodEnd: '2027-01-10',
        controls: [control],
      });
      expect(data).toMatchObject({ week: WEEK, control });
    }
  });

  it('is content-addressed: the item names the SHA-256 of the bytes it holds', () => {
    for (const { item, bytes: b } of snapshots.values()) expect(item.files[0].sha256).toBe(sha256(b));
  });

  it('holds the version in force, its approval signatures (verified) and the roster at the time', () => {
    const doc = (snapshots.get('ACC-01')!.data.documents as any[]).find((d) => d.key === KEY);
    expect(doc).toMatchObject({
      key: KEY,
      type: 'policy',
      ownerDepartment: 'engineering',
      controls: ['ACC-01', 'PRV-01'],
      inForce: { number: 1, sha256: v1sha, material: true, changeSummary: 'First issue' },
    });
    expect(doc.inForce.effectiveOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const approvals = doc.inForce.approvals as any[];
    expect(approvals.map((a) => [a.signerUserId, a.meaning, a.valid, a.versionSha256]).sort()).toEqual(
      [
        [ids.compliance, 'approved', true, v1sha],
        [ids.owner, 'approved', true, v1sha],
      ].sort(),
    );
    for (const a of approvals) {
      expect(a.signer).toEqual(expect.any(String));
      expect(Date.parse(a.signedAt)).toBeLessThanOrEqual(at.published.getTime() + 1000);
    }
    const ack = doc.acknowledgements;
    expect(ack.basisVersion).toBe(1);
    expect(ack.counts).toEqual({ audience: people.length, acknowledged: 2, pending: people.length - 2, overdue: 0 });
    expect((ack.people as any[]).map((p) => p.userId).sort()).toEqual(people);
    const byId = new Map((ack.people as any[]).map((p) => [p.userId, p]));
    expect(byId.get(ids.viewer)).toMatchObject({ status: 'acknowledged', version: 1 });
    expect(byId.get(ids.owner)).toMatchObject({ status: 'acknowledged', version: 1 });
    // Evidence goes to auditors: names and departments, no e-mail.
    expect(JSON.stringify(ack.people)).not.toContain('@demo.local');
  });

  it('a control a document supports sees that document only; GOV-02 sees every document in force', () => {
    expect((snapshots.get('PRV-01')!.data.documents as any[]).map((d) => d.key)).toEqual([KEY]);
    expect((snapshots.get('GOV-02')!.data.documents as any[]).map((d) => d.key)).toContain(KEY);
  });
});

describe('the audit pack policy index', () => {
  const HOUR = 3_600_000;
  // A period still running: acknowledgements are counted as of the build.
  const from = dayOf(new Date(Date.now() - 6 * 24 * HOUR));
  const to = dayOf(new Date(Date.now() + 2 * 24 * HOUR));
  let entries: Map<string, Buffer>;
  let index: any;
  let text: string;

  beforeAll(async () => {
    const requested = await as.compliance('POST', '/api/packs', { framework: 'soc2', from, to });
    expect(requested.status).toBe(202);
    expect(await t.app.get(PackBuilder).buildNow(requested.json.id)).toMatchObject({ status: 'done' });
    const zip = await bytes('compliance', `/api/packs/${requested.json.id}/download`);
    expect(zip.status).toBe(200);
    entries = await unzip(zip.body);
    index = JSON.parse(entries.get('policy-index.json')!.toString('utf8'));
    const pdfPath = join(work, 'pack.pdf');
    writeFileSync(pdfPath, entries.get('audit-pack.pdf')!);
    const raw = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', pdfPath, '-'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    text = raw.slice(raw.lastIndexOf('Controlled documents with a version in force'), raw.lastIndexOf('Audit trail'));
  }, 180_000);

  it('puts policy-index.json in the ZIP, listed in manifest.json with its SHA-256 and size', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    const listed = (manifest.files as any[]).find((f) => f.path === 'policy-index.json');
    const b = entries.get('policy-index.json')!;
    expect(listed).toEqual({ path: 'policy-index.json', sha256: sha256(b), size: b.length });
  });

  it('lists the document with its version, effective day, approvers and signature times, and exact counts', () => {
    expect(index.asOf.basis).toBe('built');
    const doc = (index.documents as any[]).find((d) => d.key === KEY);
    expect(doc).toMatchObject({ key: KEY, title: 'Secure development policy', controls: ['ACC-01', 'PRV-01'] });
    expect(doc.versions).toHaveLength(1);
    expect(doc.versions[0]).toMatchObject({ number: 1, sha256: v1sha, material: true, supersededAt: null });
    expect((doc.versions[0].approvals as any[]).map((a) => [a.meaning, a.valid])).toEqual([
      ['approved', true],
      ['approved', true],
    ]);
    expect(doc.acknowledgement).toEqual({
      basisVersion: 1,
      asked: people.length,
      acknowledged: 2,
      pending: people.length - 2,
      overdue: 0,
      ratePercent: Math.round((2 * 1000) / people.length) / 10,
    });
    // The totals are the sums of the rows.
    const sum = (k: string) => (index.documents as any[]).reduce((n, d) => n + d.acknowledgement[k], 0);
    expect(index.totals).toEqual({
      documents: index.documents.length,
      versions: (index.documents as any[]).reduce((n, d) => n + d.versions.length, 0),
      asked: sum('asked'),
      acknowledged: sum('acknowledged'),
      pending: sum('pending'),
      overdue: sum('overdue'),
    });
  });

  it('shows the same in the PDF section', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('the moment this pack was built');
    const doc = (index.documents as any[]).find((d) => d.key === KEY);
    const rate = (doc.acknowledgement.ratePercent as number).toFixed(1);
    expect(flat).toContain(`2 of ${people.length} (${rate}%); ${people.length - 2} pending, 0 overdue; basis v1`);
    expect(flat).toContain(`${KEY} v1`);
    expect(flat).toContain(v1sha);
    expect(flat).toContain(`Documents in force ${index.totals.documents}`);
    expect((flat.match(/: approved \d{4}-\d{2}-\d{2} \d{2}:\d{2} ICT/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(flat).not.toContain('DOES NOT VERIFY');
  });
});

describe('counts at a period boundary, from the records', () => {
  const evidence = () => t.app.get(DocumentEvidenceService);
  const counts = async (start: Date, end: Date) =>
    (await evidence().policyIndex(start, end)).find((d) => d.key === KEY)?.acknowledgementsAtEnd;
  const start = () => startOfDay(dayOf(new Date(Date.now() - 6 * 24 * 3_600_000)));

  it('counts only the acknowledgements made before the end: 0, then 1, then 2', async () => {
    const expected = (acknowledged: number) => ({
      basisVersion: 1,
      asked: people.length,
      acknowledged,
      pending: people.length - acknowledged,
      overdue: 0,
      ratePercent: Math.round((acknowledged * 1000) / people.length) / 10,
    });
    expect(await counts(start(), at.beforeFirst)).toEqual(expected(0));
    expect(await counts(start(), at.between)).toEqual(expected(1));
    expect(await counts(start(), at.afterBoth)).toEqual(expected(2));
  });

  it('leaves the document out of a period that ended before its publication', async () => {
    const yesterday = dayOf(new Date(at.published.getTime() - 24 * 3_600_000));
    const index = await evidence().policyIndex(startOfDay(yesterday), endOfDay(yesterday));
    expect(index.map((d) => d.key)).not.toContain(KEY);
    expect(await counts(start(), new Date(at.published.getTime() - 1))).toBeUndefined();
  });
});
