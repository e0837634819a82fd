// A controlled document's version as a PDF, and retiring a document, over HTTP as the demo personas (issue 17).
// The PDF is read back with poppler: Thai text, the SHA-256, the effective date and the approvals come back as
// written; it is served to whoever may read the version and is a 404 for anyone else. Retiring (compliance
// managers and admins) withdraws the version in force, cancels pending acknowledgement tasks, asks nobody
// again, is audited, and is a 409 when nothing is in force.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { DocumentAcknowledgementsService } from '../../src/documents/document-acknowledgements.service';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'privacy' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let cookies: Record<Who, string>;
let me: Record<Who, { id: string; name: string }>;
let dir: string;

const KEY = 'POL-PDF-E2E';
const base = `/api/documents/${KEY}`;
const THAI = 'พนักงานทุกคนต้องเข้าสู่ระบบด้วยการยืนยันตัวตนสองขั้นตอน และรายงานเหตุการณ์ผิดปกติภายในหนึ่งชั่วโมง';
const CONTENT = [
  '# นโยบายการเข้าถึงระบบ',
  '',
  THAI,
  '',
  '## Rules',
  '',
  '- Access is reviewed **quarterly**.',
  '- Leavers lose access the same day.',
  '',
  '<script>alert(document.cookie)</script> [run](javascript:alert(1)) <img src=x onerror=alert(1)>',
  '',
].join('\n');

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, code?: string) {
  expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([status, 'application/problem+json']);
  if (code) expect(res.json.code).toBe(code);
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  dir = mkdtempSync(join(tmpdir(), 'attest-doc-pdf-e2e-'));
  as = {} as typeof as;
  cookies = {} as typeof cookies;
  me = {} as typeof me;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'privacy', 'auditor', 'viewer'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
    const m = (await as[who]('GET', '/api/me')).json;
    me[who] = { id: m.id, name: m.name };
  }
}, 120_000);
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await t?.close();
});

/** The PDF as `who` gets it: status, headers and, for a PDF, its text (pdftotext -raw) and raw bytes. */
async function pdf(who: Who | null, n: number) {
  const res = await fetch(`${t.baseUrl}${base}/versions/${n}/pdf`, {
    headers: who ? { cookie: cookies[who] } : {},
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let text = '';
  if (res.headers.get('content-type') === 'application/pdf') {
    const path = join(dir, `${who}-${n}-${Date.now()}.pdf`);
    writeFileSync(path, bytes);
    text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
  }
  return { status: res.status, headers: res.headers, bytes, text, squashed: text.replace(/\s+/g, '') };
}
const squash = (s: string) => s.replace(/\s+/g, '');

/** Drafts (compliance), submits, signs (compliance manager and the owner department) and publishes a version. */
async function publish(content: string, effectiveOn?: string): Promise<{ number: number; sha256: string }> {
  const created = await as.compliance('POST', `${base}/versions`, { content, changeSummary: 'e2e', material: true });
  expect(created.status).toBe(201);
  const n = created.json.number;
  expect((await as.compliance('POST', `${base}/versions/${n}/submit`)).status).toBe(200);
  for (const who of ['compliance', 'owner'] as const)
    expect(
      (await as[who]('POST', `${base}/versions/${n}/sign`, { password: DEMO_PASSWORD, meaning: 'approved' })).status,
    ).toBe(200);
  const published = await as.compliance('POST', `${base}/versions/${n}/publish`, effectiveOn ? { effectiveOn } : {});
  expect(published.json).toMatchObject({ status: 'published' });
  return { number: n, sha256: published.json.sha256 };
}

let v1: { number: number; sha256: string };

describe('a version as a PDF', () => {
  it('renders the published version for its audience: Thai text, SHA-256, effective date, status, approvals', async () => {
    const created = await as.compliance('POST', '/api/documents', {
      key: KEY,
      title: 'นโยบายการเข้าถึงระบบ (access)',
      type: 'policy',
      ownerDepartment: 'engineering',
      ownerUserId: me.owner.id,
      audience: { everyone: false, roles: ['viewer'], departments: ['engineering'] },
    });
    expect(created.status).toBe(201);
    v1 = await publish(CONTENT, '2026-12-01');

    const res = await pdf('viewer', 1);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${KEY}-v1.pdf"`);
    expect(res.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    for (const s of [
      'นโยบายการเข้าถึงระบบ (access)',
      `Document ${KEY} (policy, owner: engineering)`,
      'Version 1',
      'Status published',
      'Effective date 2026-12-01',
      `SHA-256 ${v1.sha256}`,
      THAI,
      '• Access is reviewed quarterly.',
      `${me.compliance.name} compliance manager approved 1`,
      `${me.owner.name} control owner approved 1`,
      'All required approvals are given.',
    ])
      expect(res.squashed).toContain(squash(s));
    expect(res.squashed.match(/ICTvalid/g)?.length).toBe(2);
    // Hostile Markdown is text on the page, nothing active in the file.
    expect(res.squashed).toContain(squash('<script>alert(document.cookie)</script>'));
    const raw = res.bytes.toString('latin1');
    for (const active of ['/JavaScript', '/JS', '/URI', '/Launch', '/OpenAction']) expect(raw).not.toContain(active);
  });

  it('follows the access of the version: 404 for those who may not know it, 401 signed out, 400 for a bad number', async () => {
    for (const who of ['owner', 'compliance', 'admin', 'auditor'] as const)
      expect((await pdf(who, 1)).status).toBe(200);
    for (const who of ['owner2', 'privacy'] as const) {
      const res = await pdf(who, 1);
      expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([404, 'application/problem+json']);
    }
    expect((await pdf(null, 1)).status).toBe(401);
    expectProblem(await as.viewer('GET', `${base}/versions/x/pdf`), 400);
    expectProblem(await as.compliance('GET', `${base}/versions/99/pdf`), 404);
    expectProblem(await as.compliance('GET', '/api/documents/NOPE-DOC/versions/1/pdf'), 404);

    // A draft: its owner department and compliance get it; the audience does not know it exists.
    expect(
      (await as.owner('POST', `${base}/versions`, { content: 'Draft', changeSummary: 'd', material: false })).status,
    ).toBe(201);
    expect((await pdf('viewer', 2)).status).toBe(404);
    const draft = await pdf('owner', 2);
    expect(draft.status).toBe(200);
    expect(draft.squashed).toContain(squash('Status draft'));
    expect(draft.squashed).toContain(squash('Effective date not yet effective'));
    expect(draft.squashed).toContain(squash('No signatures.'));
  });
  it('renders every seed policy (drafts, read by compliance) with its text and tables', async () => {
    const seeds = (await as.compliance('GET', '/api/documents?limit=100')).json.items
      .map((d: { key: string }) => d.key)
      .filter((k: string) => /^(POL|PRC|PLN)-/.test(k) && k !== KEY);
    expect(seeds.length).toBeGreaterThanOrEqual(10);
    for (const key of seeds) {
      const res = await fetch(`${t.baseUrl}/api/documents/${key}/versions/1/pdf`, {
        headers: { cookie: cookies.compliance },
      });
      expect([key, res.status]).toEqual([key, 200]);
      const path = join(dir, `${key}.pdf`);
      writeFileSync(path, Buffer.from(await res.arrayBuffer()));
      const text = squash(execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }));
      expect(text).toContain(squash(`Document ${key}`));
      expect(text).toContain(squash('Status draft'));
      if (key === 'POL-KEYS')
        expect(text).toContain(squash('service-role keys (database and cloud roles used by services) 90 days'));
      if (key === 'POL-VULN')
        expect(text).toContain(squash('penetration test, critical or high 14 days, then retested'));
    }
  });
});

describe('retiring a document', () => {
  it('is for compliance managers and admins, with a reason; 409 when nothing is in force', async () => {
    expectProblem(await as.owner('POST', `${base}/retire`, { reason: 'x' }), 403);
    expectProblem(await as.viewer('POST', `${base}/retire`, { reason: 'x' }), 403);
    expectProblem(await as.owner2('POST', `${base}/retire`, { reason: 'x' }), 403);
    const noReason = await as.compliance('POST', `${base}/retire`, {});
    expectProblem(noReason, 400);
    expect(new Set(noReason.json.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['reason']));
    expectProblem(await as.compliance('POST', `${base}/retire`, { reason: 'x'.repeat(5000) }), 400);
    // A seed policy is a draft: nothing in force to retire.
    expectProblem(
      await as.compliance('POST', '/api/documents/POL-ISMS/retire', { reason: 'x' }),
      409,
      'document.wrong_status',
    );
    expectProblem(await as.compliance('POST', '/api/documents/NOPE-DOC/retire', { reason: 'x' }), 404);
  });

  it('retires the version in force, cancels pending tasks, keeps acknowledgements, asks nobody again', async () => {
    const ds = t.app.get(DataSource);
    // The owner acknowledges before retirement; the viewer does not.
    const ownerTask = (await as.owner('GET', '/api/me/acknowledgements')).json.items.find(
      (i: { documentKey: string }) => i.documentKey === KEY,
    );
    expect((await as.owner('POST', `/api/acknowledgements/${ownerTask.id}/acknowledge`)).status).toBe(200);
    const viewerTask = (await as.viewer('GET', '/api/me/acknowledgements')).json.items.find(
      (i: { documentKey: string }) => i.documentKey === KEY,
    );
    expect(viewerTask).toMatchObject({ status: 'pending', versionNumber: 1 });
    const docId = (await ds.query(`SELECT id FROM documents WHERE key = $1`, [KEY]))[0].id as string;
    const count = async (status: string) =>
      Number(
        (
          await ds.query(`SELECT count(*) AS n FROM document_acknowledgements WHERE document_id = $1 AND status = $2`, [
            docId,
            status,
          ])
        )[0].n,
      );
    const pendingBefore = await count('pending');
    expect(pendingBefore).toBeGreaterThanOrEqual(1); // the viewer's at least

    const retired = await as.compliance('POST', `${base}/retire`, { reason: 'Replaced by the ISMS access rules' });
    expect(retired.status).toBe(200);
    expect(retired.json).toMatchObject({
      key: KEY,
      publishedVersion: null,
      nextReviewOn: null,
      retiredReason: 'Replaced by the ISMS access rules',
    });
    expect(retired.json.retiredAt).toEqual(expect.any(String));
    expect(retired.json.versions.map((v: { number: number; status: string }) => [v.number, v.status])).toEqual([
      [2, 'draft'],
      [1, 'retired'],
    ]);
    expect((await as.compliance('GET', `${base}/versions/1`)).json.retiredAt).toEqual(expect.any(String));

    // Pending tasks cancelled, the acknowledgement kept; the viewer's task is gone from their list and final.
    expect(await count('pending')).toBe(0);
    expect(await count('cancelled')).toBe(pendingBefore);
    expect(await count('acknowledged')).toBe(1);
    const viewerList = (await as.viewer('GET', '/api/me/acknowledgements')).json.items;
    expect(viewerList.map((i: { documentKey: string }) => i.documentKey)).not.toContain(KEY);
    expectProblem(
      await as.viewer('POST', `/api/acknowledgements/${viewerTask.id}/acknowledge`),
      409,
      'document.acknowledgement_cancelled',
    );
    await expect(
      ds.query(`UPDATE document_acknowledgements SET status = 'pending' WHERE id = $1`, [viewerTask.id]),
    ).rejects.toThrow(/cannot change/);

    // No new tasks afterwards: the hourly top-up and reminders leave the document alone.
    const acks = t.app.get(DocumentAcknowledgementsService);
    await acks.topUp(new Date());
    await acks.remindAndEscalate(new Date(Date.now() + 60 * 86_400_000));
    expect(await count('pending')).toBe(0);

    // The roster: who acknowledged it, nobody asked any more.
    const roster = await as.compliance('GET', `${base}/acknowledgements`);
    expect(roster.json.items.map((i: { userId: string; status: string }) => [i.userId, i.status])).toEqual([
      [me.owner.id, 'acknowledged'],
    ]);

    // No longer in force for its audience; the auditor still reads what was in force in their period.
    expectProblem(await as.viewer('GET', base), 404);
    expect((await pdf('viewer', 1)).status).toBe(404);
    expect((await as.auditor('GET', `${base}/versions/1`)).json.status).toBe('retired');
    expect((await pdf('auditor', 1)).squashed).toContain(squash('Status retired'));

    const trail = await as.admin('GET', '/api/audit-trail?action=document.retire');
    expect(trail.json.items[0]).toMatchObject({
      actor: `user:${me.compliance.id}`,
      subjectType: 'Document',
      data: {
        key: KEY,
        version: 1,
        sha256: v1.sha256,
        retiredVersions: [1],
        reason: 'Replaced by the ISMS access rules',
        acknowledgementsCancelled: pendingBefore,
      },
    });
    expectProblem(await as.compliance('POST', `${base}/retire`, { reason: 'again' }), 409, 'document.wrong_status');
  });

  it('publishing a later version puts the document back in force', async () => {
    await as.owner('PATCH', `${base}/versions/2`, { content: '# Access\n\nBack in force.\n', material: true });
    expect((await as.compliance('POST', `${base}/versions/2/submit`)).status).toBe(200);
    for (const who of ['compliance', 'owner'] as const)
      await as[who]('POST', `${base}/versions/2/sign`, { password: DEMO_PASSWORD, meaning: 'approved' });
    expect((await as.compliance('POST', `${base}/versions/2/publish`, {})).json.status).toBe('published');
    expect((await as.viewer('GET', base)).json).toMatchObject({
      publishedVersion: 2,
      retiredAt: null,
      retiredReason: null,
    });
    expect((await as.admin('GET', '/api/audit-trail/verify')).json.ok).toBe(true);
  });
});
