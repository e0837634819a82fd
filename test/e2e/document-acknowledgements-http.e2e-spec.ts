// Acknowledgement of controlled documents over HTTP as the demo personas (issue 17): publishing a material
// version asks exactly its audience, a non-material one asks nobody, a person who joins later is asked by the
// job's top-up; one acknowledges one's own task only (404 for another's, 409 once a later material version
// replaced it), audited; the roster (JSON and CSV) for compliance, the owner department and auditors;
// reminders, overdue notices and escalations sent once each (the job's method driven with a fixed clock).
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { DocumentAcknowledgementsService } from '../../src/documents/document-acknowledgements.service';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'privacy' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let ids: Record<Who, string>;
let acks: DocumentAcknowledgementsService;

const KEY = 'POL-ACK-E2E';
const base = `/api/documents/${KEY}`;

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, code?: string) {
  expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([status, 'application/problem+json']);
  if (code) expect(res.json.code).toBe(code);
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  acks = t.app.get(DocumentAcknowledgementsService);
  as = {} as typeof as;
  ids = {} as typeof ids;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'privacy', 'auditor', 'viewer'] as const) {
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
}, 120_000);
afterAll(async () => t?.close());

/** Drafts, submits, signs (compliance manager and the owner department) and publishes a version; its number. */
async function publish(content: string, material: boolean): Promise<{ number: number; sha256: string }> {
  const created = await as.compliance('POST', `${base}/versions`, { content, changeSummary: 'e2e', material });
  expect(created.status).toBe(201);
  const n = created.json.number;
  expect((await as.compliance('POST', `${base}/versions/${n}/submit`)).status).toBe(200);
  for (const who of ['compliance', 'owner'] as const)
    expect(
      (await as[who]('POST', `${base}/versions/${n}/sign`, { password: DEMO_PASSWORD, meaning: 'approved' })).status,
    ).toBe(200);
  const published = await as.compliance('POST', `${base}/versions/${n}/publish`, {});
  expect(published.json).toMatchObject({ status: 'published' });
  return { number: n, sha256: published.json.sha256 };
}

/** Who the audience (engineering + viewers) is, from the user list: active users only. */
async function expectedAudience(): Promise<string[]> {
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

const mine = async (who: Who) => (await as[who]('GET', '/api/me/acknowledgements')).json.items as any[];
const rosterIds = (r: { json: { items: { userId: string }[] } }) => r.json.items.map((i) => i.userId).sort();

let v1: { number: number; sha256: string };
let movedId: string;

describe('publication asks exactly the audience', () => {
  it('a material version creates one task per person of the audience, in the publication', async () => {
    const created = await as.compliance('POST', '/api/documents', {
      key: KEY,
      title: 'Acceptable use',
      type: 'policy',
      ownerDepartment: 'engineering',
      ownerUserId: ids.owner,
      audience: { everyone: false, roles: ['viewer'], departments: ['engineering'] },
    });
    expect(created.status).toBe(201);
    expect(await mine('owner')).toEqual([]);
    v1 = await publish('# Acceptable use\n\nNo personal use of production.\n', true);

    const audience = await expectedAudience();
    expect(audience).toEqual(expect.arrayContaining([ids.owner, ids.viewer]));
    const roster = await as.compliance('GET', `${base}/acknowledgements`);
    expect(roster.status).toBe(200);
    expect(roster.json).toMatchObject({ documentKey: KEY, publishedVersion: 1, basisVersion: 1 });
    expect(rosterIds(roster)).toEqual(audience);
    for (const item of roster.json.items) {
      expect(item).toMatchObject({ status: 'pending', versionNumber: 1, versionSha256: v1.sha256 });
      expect(item.acknowledgementId).toEqual(expect.any(String));
    }
    expect(roster.json.counts).toEqual({ acknowledged: 0, pending: audience.length, overdue: 0 });

    const [task] = await mine('viewer');
    expect(task).toMatchObject({ documentKey: KEY, versionNumber: 1, versionSha256: v1.sha256, status: 'pending' });
    // Due 14 days after the local (Asia/Bangkok) day of publication, at 23:59 there (16:59 UTC).
    expect(task.dueAt).toMatch(/T16:59:00\.000Z$/);
    const days = (Date.parse(task.dueAt) - Date.parse(task.createdAt)) / 86_400_000;
    expect(days).toBeGreaterThan(13);
    expect(days).toBeLessThanOrEqual(15);
    for (const who of ['privacy', 'owner2', 'auditor', 'compliance'] as const) expect(await mine(who)).toEqual([]);
  });
});

describe('acknowledging', () => {
  it('one’s own task: 200, recorded with the version hash, audited once, idempotent; another’s: 404', async () => {
    const [ownerTask] = await mine('owner');
    const [viewerTask] = await mine('viewer');
    expectProblem(await as.viewer('POST', `/api/acknowledgements/${ownerTask.id}/acknowledge`), 404);
    expectProblem(await as.compliance('POST', `/api/acknowledgements/${ownerTask.id}/acknowledge`), 404);
    expectProblem(await as.viewer('POST', '/api/acknowledgements/not-a-uuid/acknowledge'), 400);
    expectProblem(
      await as.viewer('POST', '/api/acknowledgements/00000000-0000-4000-8000-000000000000/acknowledge'),
      404,
    );

    const done = await as.viewer('POST', `/api/acknowledgements/${viewerTask.id}/acknowledge`);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ id: viewerTask.id, status: 'acknowledged', versionSha256: v1.sha256 });
    expect(done.json.acknowledgedAt).toEqual(expect.any(String));
    const again = await as.viewer('POST', `/api/acknowledgements/${viewerTask.id}/acknowledge`);
    expect(again.json).toEqual(done.json);

    const trail = await as.admin('GET', '/api/audit-trail?action=document.acknowledge');
    expect(trail.json.items).toHaveLength(1);
    expect(trail.json.items[0].data).toMatchObject({ key: KEY, version: 1, sha256: v1.sha256 });
    expect(trail.json.items[0].actor).toBe(`user:${ids.viewer}`);
    expect((await mine('owner'))[0].status).toBe('pending');
  });

  it('the roster shows it, per person with department, filtered; as CSV too', async () => {
    const roster = await as.compliance('GET', `${base}/acknowledgements`);
    const viewer = roster.json.items.find((i: { userId: string }) => i.userId === ids.viewer);
    expect(viewer).toMatchObject({ status: 'acknowledged', department: null, role: 'viewer', email: DEMO.viewer });
    const owner = roster.json.items.find((i: { userId: string }) => i.userId === ids.owner);
    expect(owner).toMatchObject({ status: 'pending', department: 'engineering' });
    expect(roster.json.counts.acknowledged).toBe(1);

    const acknowledged = await as.compliance('GET', `${base}/acknowledgements?status=acknowledged`);
    expect(rosterIds(acknowledged)).toEqual([ids.viewer]);
    const engineering = await as.compliance('GET', `${base}/acknowledgements?department=engineering`);
    expect(engineering.json.items.every((i: { department: string }) => i.department === 'engineering')).toBe(true);
    expect(rosterIds(engineering)).toContain(ids.owner);
    const bad = await as.compliance('GET', `${base}/acknowledgements?status=late&format=xml`);
    expectProblem(bad, 400);
    expect(bad.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(['format', 'status']);

    for (const res of [
      await as.compliance('GET', `${base}/acknowledgements?format=csv`),
      await as.compliance('GET', `${base}/acknowledgements`, undefined, { accept: 'text/csv' }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${KEY}-acknowledgements.csv"`);
      const lines = res.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toBe('name,email,department,role,status,version,sha256,due_at,acknowledged_at');
      expect(lines).toHaveLength(roster.json.items.length + 1);
      expect(lines.find((l: string) => l.includes(DEMO.viewer))).toMatch(/,viewer,acknowledged,1,[0-9a-f]{64},/);
    }
  });

  it('the roster is for compliance, the owner department and auditors in their engagement', async () => {
    expect((await as.admin('GET', `${base}/acknowledgements`)).status).toBe(200);
    const audited = await as.auditor('GET', `${base}/acknowledgements`);
    expect(audited.status).toBe(200);
    // Auditors see who (name, department) and the state, not people's e-mail addresses.
    expect(audited.json.items.length).toBeGreaterThan(1);
    for (const item of audited.json.items) expect(item).toMatchObject({ email: null, name: expect.any(String) });
    const owned = await as.owner('GET', `${base}/acknowledgements`);
    expect(owned.json.items.find((i: { userId: string }) => i.userId === ids.owner).email).toBe(DEMO.owner);
    // The viewer reads the document (it applies to them) but not who acknowledged it.
    expectProblem(await as.viewer('GET', `${base}/acknowledgements`), 403, 'document.roster_not_yours');
    // Outside its audience and department: the document is not theirs to know of.
    expectProblem(await as.owner2('GET', `${base}/acknowledgements`), 404);
    expectProblem(await as.privacy('GET', `${base}/acknowledgements?format=csv`), 404);
    expectProblem(await as.compliance('GET', '/api/documents/POL-NOPE/acknowledgements'), 404);
  });
});

describe('later versions and later people', () => {
  it('a non-material version asks nobody: acknowledgements of the material one stand', async () => {
    const before = await mine('owner');
    await publish('# Acceptable use\n\nNo personal use of production systems.\n', false);
    expect(await mine('owner')).toEqual(before);
    const roster = await as.compliance('GET', `${base}/acknowledgements`);
    expect(roster.json).toMatchObject({ publishedVersion: 2, basisVersion: 1 });
    expect(roster.json.items.find((i: { userId: string }) => i.userId === ids.viewer).status).toBe('acknowledged');
    expect(await acks.topUp(new Date())).toBe(0);
  });

  it('a new hire in the audience is asked for the version in force by the job’s top-up, once', async () => {
    const created = await as.admin('POST', '/api/users', {
      email: `new-hire-${Date.now()}@example.com`,
      name: 'New Hire',
      role: 'control_owner',
      department: 'engineering',
    });
    expect(created.status).toBe(201);
    const hire = client(t.baseUrl, await login(t.baseUrl, created.json.user.email, created.json.oneTimePassword));
    expect((await hire('GET', '/api/me/acknowledgements')).json.items).toEqual([]);
    expect(await acks.topUp(new Date())).toBe(1);
    expect(await acks.topUp(new Date())).toBe(0);
    const [task] = (await hire('GET', '/api/me/acknowledgements')).json.items;
    expect(task).toMatchObject({ documentKey: KEY, versionNumber: 2, status: 'pending' });
    movedId = created.json.user.id;
    // Moved out of the audience: no longer on the roster, and not chased (below).
    expect((await as.admin('PATCH', `/api/users/${movedId}`, { department: 'clinical' })).status).toBe(200);
    // Someone joining outside the audience is not asked.
    const outsider = await as.admin('POST', '/api/users', {
      email: `outsider-${Date.now()}@example.com`,
      name: 'Outsider',
      role: 'control_owner',
      department: 'clinical',
    });
    expect(outsider.status).toBe(201);
    expect(await acks.topUp(new Date())).toBe(0);
    expect(rosterIds(await as.compliance('GET', `${base}/acknowledgements`))).toEqual(await expectedAudience());
  });
});

describe('reminders, overdue notices and escalations: once each', () => {
  const kinds = async (who: Who, kind: string) =>
    (
      (await as[who]('GET', '/api/notifications?limit=200')).json.items as {
        kind: string;
        subject: string;
        body: string;
      }[]
    ).filter((n) => n.kind === kind);

  it('reminds before the due time, then tells the person and escalates to compliance once overdue', async () => {
    const [task] = await mine('owner');
    const due = Date.parse(task.dueAt);
    expect(await acks.remindAndEscalate(new Date(due - 5 * 86_400_000))).toEqual({
      reminders: 0,
      overdue: 0,
      escalations: 0,
    });

    const soon = new Date(due - 86_400_000);
    const first = await acks.remindAndEscalate(soon);
    expect(first.reminders).toBeGreaterThanOrEqual(1);
    expect(await acks.remindAndEscalate(soon)).toEqual({ reminders: 0, overdue: 0, escalations: 0 });
    const reminders = await kinds('owner', 'document.acknowledgement_reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.subject).toContain(`${KEY} v1`);
    // The viewer acknowledged: nothing for them; nor for the person who left the audience.
    expect(await kinds('viewer', 'document.acknowledgement_reminder')).toEqual([]);
    const sentTo = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM notifications WHERE recipient_user_id = $1 AND kind LIKE 'document.%'`, [
        movedId,
      ]);
    expect(sentTo).toEqual([{ n: 0 }]);

    const late = new Date(due + 86_400_000);
    const second = await acks.remindAndEscalate(late);
    expect(second.overdue).toBeGreaterThanOrEqual(1);
    expect(second.escalations).toBe(1); // one compliance manager, one document and due time
    expect(await acks.remindAndEscalate(late)).toEqual({ reminders: 0, overdue: 0, escalations: 0 });
    expect(await kinds('owner', 'document.acknowledgement_overdue')).toHaveLength(1);
    const escalations = await kinds('compliance', 'document.acknowledgement_escalation');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.subject).toContain(KEY);
    expect(escalations[0]!.body).toContain('Somchai Jaidee');
    expect(await kinds('viewer', 'document.acknowledgement_overdue')).toEqual([]);

    const roster = await as.compliance('GET', `${base}/acknowledgements`);
    expect(roster.json.items.find((i: { userId: string }) => i.userId === ids.owner).status).toBe('pending');
    expect((await mine('owner'))[0].status).toBe('pending'); // overdue only after the real due time
  });

  it('the scheduled call tops up and reminds in one idempotent run', async () => {
    const [task] = await mine('owner');
    const late = new Date(Date.parse(task.dueAt) + 86_400_000);
    expect(await acks.askAndRemind(late)).toEqual({ asked: 0, reminders: 0, overdue: 0, escalations: 0 });
  });
});

describe('a later material version', () => {
  it('asks everyone again; the replaced task can no longer be acknowledged (409)', async () => {
    const [old] = await mine('owner');
    const v3 = await publish('# Acceptable use\n\nNo personal use of any company system.\n', true);
    expectProblem(
      await as.owner('POST', `/api/acknowledgements/${old.id}/acknowledge`),
      409,
      'document.acknowledgement_superseded',
    );
    const current = await mine('owner');
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ versionNumber: 3, versionSha256: v3.sha256, status: 'pending' });
    const viewer = await mine('viewer');
    expect(viewer).toEqual([expect.objectContaining({ versionNumber: 3, status: 'pending' })]);
    expect((await as.owner('POST', `/api/acknowledgements/${current[0].id}/acknowledge`)).status).toBe(200);
    const roster = await as.compliance('GET', `${base}/acknowledgements`);
    expect(roster.json).toMatchObject({ basisVersion: 3, counts: expect.objectContaining({ acknowledged: 1 }) });
  });
});
