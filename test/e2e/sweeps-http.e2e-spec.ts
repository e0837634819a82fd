// The weekly sweep over HTTP, as its people use it: a compliance manager opens the week, control owners
// see and complete only their own tasks, and everyone allowed sees the posture.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let as: Record<'compliance' | 'owner' | 'owner2' | 'viewer', ReturnType<typeof client>>;
let week: string;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {
    compliance: client(t.baseUrl, await login(t.baseUrl, DEMO.compliance)),
    owner: client(t.baseUrl, await login(t.baseUrl, DEMO.owner)),
    owner2: client(t.baseUrl, await login(t.baseUrl, DEMO.owner2)),
    viewer: client(t.baseUrl, await login(t.baseUrl, DEMO.viewer)),
  };
  // One control owned by a person (the rest by their departments): the sweep has both kinds of owner.
  const control = (await as.compliance('GET', '/api/controls?department=engineering&limit=1')).json.items[0];
  const ownerId = (await as.owner('GET', '/api/me')).json.id;
  expect((await as.compliance('PUT', `/api/controls/${control.key}/owner`, { userId: ownerId })).status).toBe(200);
  const opened = await as.compliance('POST', '/api/sweeps', {});
  expect(opened.status).toBe(200);
  week = opened.json.week;
});
afterAll(async () => t?.close());

it('opens once: a second request says created false with the same tasks; bad weeks are 400', async () => {
  const again = await as.compliance('POST', '/api/sweeps', { week });
  expect(again.json).toMatchObject({ week, created: false });
  expect((await as.compliance('POST', '/api/sweeps', { week: '2025-W53' })).json.errors[0].field).toBe('week');
  expect((await as.owner('POST', '/api/sweeps', {})).status).toBe(403);
});

it('a control owner sees only their own tasks, all of their department', async () => {
  const mine = await as.owner('GET', `/api/sweeps/${week}/tasks?mine=1&limit=200`);
  expect(mine.status).toBe(200);
  expect(mine.json.total).toBeGreaterThan(0);
  expect(mine.json.items.every((x: { ownerDepartment: string }) => x.ownerDepartment === 'engineering')).toBe(true);
  const all = await as.owner('GET', `/api/sweeps/${week}/tasks?limit=200`);
  expect(all.json.total).toBe(mine.json.total); // owners never see other departments' tasks
  const everything = await as.compliance('GET', `/api/sweeps/${week}/tasks?limit=200`);
  expect(everything.json.total).toBeGreaterThan(mine.json.total);
});

it('completes a task by attesting; a second completion is a 409; someone else gets 404', async () => {
  const task = (await as.owner('GET', `/api/sweeps/${week}/tasks?mine=1&limit=1`)).json.items[0];
  expect(
    (
      await as.owner2('POST', `/api/sweep-tasks/${task.id}/complete`, {
        outcome: 'attestation',
        statement: 'No change this week.',
      })
    ).status,
  ).toBe(404);
  const done = await as.owner('POST', `/api/sweep-tasks/${task.id}/complete`, {
    outcome: 'attestation',
    statement: 'No change this week.',
  });
  expect(done.status).toBe(200);
  expect(done.json).toMatchObject({ status: 'attested', evidenceIds: [expect.any(String)] });
  expect(
    (
      await as.owner('POST', `/api/sweep-tasks/${task.id}/complete`, {
        outcome: 'exception',
        reason: 'Changed my mind',
      })
    ).status,
  ).toBe(409);
});

it('refuses an exception without a reason and evidence not linked to the control, naming the field', async () => {
  const task = (await as.owner('GET', `/api/sweeps/${week}/tasks?mine=1&status=open&limit=1`)).json.items[0];
  const noReason = await as.owner('POST', `/api/sweep-tasks/${task.id}/complete`, { outcome: 'exception' });
  expect(noReason.status).toBe(400);
  expect(noReason.json.errors[0].field).toBe('reason');
  const unlinked = await as.owner('POST', `/api/sweep-tasks/${task.id}/complete`, {
    outcome: 'evidence',
    evidenceIds: ['00000000-0000-4000-8000-000000000000'],
  });
  expect(unlinked.status).toBe(400);
  expect(unlinked.json.errors[0].field).toBe('evidenceIds');
});

it('shows progress per owner to the compliance manager, and posture to viewers', async () => {
  const current = await as.compliance('GET', '/api/sweeps/current');
  expect(current.json).toMatchObject({ week, status: 'open' });
  expect(current.json.done).toBeGreaterThanOrEqual(1);
  expect(current.json.byOwner.length).toBeGreaterThan(1);
  expect((await as.owner('GET', '/api/sweeps/current')).json.byOwner).toEqual([]);
  const posture = await as.viewer('GET', '/api/posture');
  expect(posture.status).toBe(200);
  expect(posture.json.items.map((p: { framework: string }) => p.framework).sort()).toEqual([
    'iso14971',
    'pdpa',
    'samd',
    'soc2',
  ]);
  for (const p of posture.json.items) expect(p.share).toBeGreaterThanOrEqual(0);
  expect((await as.viewer('GET', `/api/sweeps/${week}/tasks`)).status).toBe(403);
});

it("drills down from each owner's progress to their tasks, in the API and on the page", async () => {
  const current = (await as.compliance('GET', '/api/sweeps/current')).json;
  for (const o of current.byOwner) {
    const who = o.ownerUserId ? `owner=${o.ownerUserId}` : `department=${o.department}`;
    const tasks = await as.compliance('GET', `/api/sweeps/${week}/tasks?${who}&limit=200`);
    expect(tasks.status).toBe(200);
    expect(tasks.json.total).toBe(o.open + o.done);
    expect(tasks.json.items.every((x: { ownerUserId: string | null }) => x.ownerUserId === o.ownerUserId)).toBe(true);
    const overdue = await as.compliance('GET', `/api/sweeps/${week}/tasks?${who}&overdue=1&limit=1`);
    expect(overdue.json.total).toBe(o.overdue);
  }
  // The page of one person's tasks: the same rows, named, linked from the sweeps page.
  const person = current.byOwner.find((o: { ownerUserId: string | null }) => o.ownerUserId)!;
  const page = await as.compliance('GET', `/sweeps/tasks?owner=${person.ownerUserId}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain(`tasks of ${person.owner}`);
  const api = (await as.compliance('GET', `/api/sweeps/${week}/tasks?owner=${person.ownerUserId}&limit=200`)).json;
  const rows = [...page.text.matchAll(/data-task="([^"]+)"/g)].map((m) => m[1]);
  expect(rows.sort()).toEqual(api.items.map((x: { id: string }) => x.id).sort());
  const sweeps = (await as.compliance('GET', '/sweeps')).text;
  expect(sweeps).toContain(`href="/sweeps/tasks?owner&#x3D;${person.ownerUserId}"`);
  // Someone who may not see that person's tasks gets none, and no name.
  const theirs = await as.owner2('GET', `/sweeps/tasks?owner=${person.ownerUserId}`);
  expect(theirs.status).toBe(200);
  expect(theirs.text).toContain('id="no-tasks"');
  expect(theirs.text).not.toContain(person.owner);
  // A department's unassigned tasks, linked the same way.
  const dept = current.byOwner.find((o: { ownerUserId: string | null }) => !o.ownerUserId)!;
  const deptPage = await as.compliance('GET', `/sweeps/tasks?department=${dept.department}`);
  expect([...deptPage.text.matchAll(/data-task="/g)]).toHaveLength(Math.min(100, dept.open + dept.done));
  expect((await as.compliance('GET', '/api/sweeps/current/tasks?owner=nobody')).status).toBe(400);
  const bad = await as.compliance('GET', `/api/sweeps/${week}/tasks?owner=nobody`);
  expect(bad.status).toBe(400);
  expect(bad.json.errors[0].field).toBe('owner');
});
