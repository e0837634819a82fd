// Segregation of duties for control ownership, and what a control's page says about its exceptions:
// only someone who may complete sweep tasks owns a control (never an auditor or a viewer) — refused with
// a 422 naming the field through the API, and through the page, which shows the form again with the
// choice kept and the reason; the picker does not offer them. A control whose task ended in an exception
// shows the exception and its reason instead of "No evidence yet.".
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
let cookies: Record<'compliance' | 'owner' | 'auditor', string>;
let as: Record<'compliance' | 'owner' | 'auditor', ReturnType<typeof client>>;
let ids: Record<'owner' | 'auditor' | 'viewer' | 'privacy', string>;
let key: string;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  cookies = {
    compliance: await login(t.baseUrl, DEMO.compliance),
    owner: await login(t.baseUrl, DEMO.owner),
    auditor: await login(t.baseUrl, DEMO.auditor),
  };
  as = {
    compliance: client(t.baseUrl, cookies.compliance),
    owner: client(t.baseUrl, cookies.owner),
    auditor: client(t.baseUrl, cookies.auditor),
  };
  const users = (await as.compliance('GET', '/api/users?limit=100')).json.items as { id: string; email: string }[];
  const id = (email: string) => users.find((u) => u.email === email)!.id;
  ids = { owner: id(DEMO.owner), auditor: id(DEMO.auditor), viewer: id(DEMO.viewer), privacy: id(DEMO.privacy) };
  key = (await as.compliance('GET', '/api/controls?department=engineering&cadence=weekly&limit=1')).json.items[0].key;
});
afterAll(async () => t?.close());

describe('segregation of duties: who may own a control', () => {
  it.each(['auditor', 'viewer'] as const)('the API refuses the %s as owner with a 422 naming userId', async (who) => {
    const res = await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ids[who] });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toMatchObject({
      status: 422,
      code: 'control.owner_not_eligible',
      errors: [
        { field: 'userId', message: expect.stringContaining(who === 'auditor' ? 'is an auditor' : 'is a viewer') },
      ],
    });
    expect((await as.compliance('GET', `/api/controls/${key}`)).json.ownerUserId).toBeNull();
  });

  it('accepts those who complete sweep tasks (a control owner, a privacy officer)', async () => {
    expect((await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ids.privacy })).json.ownerUserId).toBe(
      ids.privacy,
    );
    expect((await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ids.owner })).json.ownerUserId).toBe(
      ids.owner,
    );
  });

  it('the person who becomes owner is notified, once per assignment, with a link to the control', async () => {
    const notices = async () =>
      ((await as.owner('GET', '/api/notifications?limit=200')).json.items as { kind: string; link: string }[]).filter(
        (n) => n.kind === 'control.owner_assigned' && n.link === `/controls/${key}`,
      );
    const before = (await notices()).length; // the test above made owner the owner once
    expect(before).toBe(1);
    const [notice] = (await as.owner('GET', '/api/notifications?limit=200')).json.items.filter(
      (n: { kind: string }) => n.kind === 'control.owner_assigned',
    );
    expect(notice.subject).toMatch(new RegExp(`^You now own control ${key}: `));
    // Assigning the same person again changes nothing and tells nobody.
    expect((await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ids.owner })).status).toBe(200);
    expect(await notices()).toHaveLength(1);
    // Away and back: a new assignment, a new notice.
    await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: null });
    await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ids.owner });
    expect(await notices()).toHaveLength(2);
  });

  it('the picker offers control owners and privacy officers, never auditors or viewers', async () => {
    const res = await fetch(`${t.baseUrl}/controls/${key}`, {
      headers: { cookie: cookies.compliance, accept: 'text/html' },
    });
    const html = await res.text();
    const options = [...html.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(options).toEqual(expect.arrayContaining([ids.owner, ids.privacy]));
    expect(options).not.toContain(ids.auditor);
    expect(options).not.toContain(ids.viewer);
  });

  it('the page refuses the auditor: 422, the form again with the choice kept and the reason, nothing changed', async () => {
    const res = await postForm(t.baseUrl, cookies.compliance, `/controls/${key}/owner`, { userId: ids.auditor });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('id="assign-owner"');
    expect(res.text).toMatch(/id="owner-error"[\s\S]*<code>userId<\/code>: is an auditor/);
    expect(res.text).toMatch(new RegExp(`<option value="${ids.auditor}" selected>[^<]*may not own controls`));
    expect((await as.compliance('GET', `/api/controls/${key}`)).json.ownerUserId).toBe(ids.owner);
    const ok = await postForm(t.baseUrl, cookies.compliance, `/controls/${key}/owner`, { userId: ids.privacy });
    expect(ok).toMatchObject({ status: 303, location: `/controls/${key}?done=owner.assigned` });
    expect((await as.compliance('GET', `/api/controls/${key}`)).json.ownerUserId).toBe(ids.privacy);
    await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ids.owner });
  });
});

it('a control whose task ended in an exception shows it, with who, when, the week and the reason', async () => {
  const week = (await as.compliance('POST', '/api/sweeps', {})).json.week as string;
  const task = (
    (await as.owner('GET', `/api/sweeps/${week}/tasks?mine=1&limit=200`)).json.items as {
      id: string;
      controlKey: string;
    }[]
  ).find((x) => x.controlKey === key)!;
  const reason = 'Backup tool replaced this week <script>; restore test moved to Tuesday.';
  expect(
    (await as.owner('POST', `/api/sweep-tasks/${task.id}/complete`, { outcome: 'exception', reason })).status,
  ).toBe(200);
  const html = await (
    await fetch(`${t.baseUrl}/controls/${key}`, { headers: { cookie: cookies.owner, accept: 'text/html' } })
  ).text();
  expect(html).not.toContain('No evidence yet.');
  const row = html.match(/<tr data-outcome="exception" data-week="([^"]+)">([\s\S]*?)<\/tr>/);
  expect(row?.[1]).toBe(week);
  expect(row?.[2]).toContain('Exception');
  expect(row?.[2]).toContain('Somchai Jaidee');
  expect(row?.[2]).toContain('Backup tool replaced this week &lt;script&gt;; restore test moved to Tuesday.');
  expect(row?.[2]).toMatch(/ICT/);
});
