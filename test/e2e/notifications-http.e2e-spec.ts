// Notifications over real HTTP: my list (newest first, paged, unread filter), marking read, the unread
// count (API and page header), and BOLA: someone else's notification is a 404, for admins too.
import { DataSource } from 'typeorm';
import { NotificationsService } from '../../src/notifications/notifications.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
const as: Record<'owner' | 'owner2' | 'admin', ReturnType<typeof client>> = {} as never;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};
/** Notification ids by dedupe key. */
const n: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  for (const who of ['owner', 'owner2', 'admin'] as const) {
    cookies[who] = await login(t.baseUrl, DEMO[who]);
    as[who] = client(t.baseUrl, cookies[who]);
    ids[who] = (await as[who]('GET', '/api/me')).json.id;
  }
  const notifications = t.app.get(NotificationsService);
  const raise = async (who: string, key: string, subject: string) => {
    await notifications.enqueue({
      recipientUserId: ids[who],
      kind: 'sweep.reminder',
      dedupeKey: key,
      subject,
      body: `Body of ${subject}`,
      link: '/controls',
    });
  };
  await raise('owner', 'e2e:owner:1', 'First reminder');
  await raise('owner', 'e2e:owner:2', 'Second reminder');
  await raise('owner', 'e2e:owner:3', 'Third reminder');
  await raise('owner2', 'e2e:owner2:1', 'Clinical reminder');
  const rows: { id: string; dedupe_key: string }[] = await t.app
    .get(DataSource)
    .query('SELECT id, dedupe_key FROM notifications');
  for (const r of rows) n[r.dedupe_key] = r.id;
});
afterAll(async () => t?.close());

it('lists my notifications only, newest first, with their fields', async () => {
  const res = await as.owner('GET', '/api/notifications');
  expect(res.status).toBe(200);
  expect(res.json.total).toBe(3);
  expect(res.json.items.map((i: { subject: string }) => i.subject)).toEqual([
    'Third reminder',
    'Second reminder',
    'First reminder',
  ]);
  expect(res.json.items[0]).toEqual({
    id: n['e2e:owner:3'],
    kind: 'sweep.reminder',
    subject: 'Third reminder',
    body: 'Body of Third reminder',
    link: '/controls',
    createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    readAt: null,
    emailStatus: 'not_needed', // no SMTP_URL here: in-app only
    emailSentAt: null,
  });
  expect((await as.owner2('GET', '/api/notifications')).json.items.map((i: { subject: string }) => i.subject)).toEqual([
    'Clinical reminder',
  ]);
});

it('pages with limit and offset', async () => {
  const res = await as.owner('GET', '/api/notifications?limit=1&offset=1');
  expect(res.json).toMatchObject({ total: 3, limit: 1, offset: 1, items: [{ subject: 'Second reminder' }] });
  expect((await as.owner('GET', '/api/notifications?unread=maybe')).json).toMatchObject({
    status: 400,
    errors: [{ field: 'unread' }],
  });
});

it('marks one read: the unread count and the unread filter follow', async () => {
  expect((await as.owner('GET', '/api/notifications/unread-count')).json).toEqual({ unread: 3 });
  const res = await as.owner('POST', `/api/notifications/${n['e2e:owner:1']}/read`);
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({ id: n['e2e:owner:1'], readAt: expect.any(String) });
  // Again: still read, same time.
  expect((await as.owner('POST', `/api/notifications/${n['e2e:owner:1']}/read`)).json.readAt).toBe(res.json.readAt);
  expect((await as.owner('GET', '/api/notifications/unread-count')).json).toEqual({ unread: 2 });
  expect(
    (await as.owner('GET', '/api/notifications?unread=1')).json.items.map((i: { subject: string }) => i.subject),
  ).toEqual(['Third reminder', 'Second reminder']);
  expect(
    (await as.owner('GET', '/api/notifications?unread=0')).json.items.map((i: { subject: string }) => i.subject),
  ).toEqual(['First reminder']);
});

it("someone else's notification is a 404, whoever asks (admins too), and stays unread", async () => {
  for (const who of ['owner', 'admin'] as const) {
    const res = await as[who]('POST', `/api/notifications/${n['e2e:owner2:1']}/read`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json.code).toBe('notification.not_found');
  }
  expect((await as.owner('POST', '/api/notifications/00000000-0000-4000-8000-000000000000/read')).status).toBe(404);
  expect((await as.owner('POST', '/api/notifications/not-a-uuid/read')).status).toBe(400);
  expect((await as.admin('GET', '/api/notifications')).json).toMatchObject({ total: 0, items: [] });
  expect((await as.owner2('GET', '/api/notifications/unread-count')).json).toEqual({ unread: 1 });
});

it('marks all mine read, and nobody else’s', async () => {
  const res = await as.owner('POST', '/api/notifications/read-all');
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ marked: 2 });
  expect((await as.owner('GET', '/api/notifications/unread-count')).json).toEqual({ unread: 0 });
  expect((await as.owner2('GET', '/api/notifications/unread-count')).json).toEqual({ unread: 1 });
  expect((await as.admin('POST', '/api/notifications/read-all')).json).toEqual({ marked: 0 });
  expect((await as.owner2('GET', '/api/notifications/unread-count')).json).toEqual({ unread: 1 });
});

it('the page lists mine with "mark read" buttons, and the header shows the unread count', async () => {
  const page = async (cookie: string) => {
    const res = await fetch(`${t.baseUrl}/notifications`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return res.text();
  };
  const html = await page(cookies.owner2);
  expect(html).toContain('Clinical reminder');
  expect(html).not.toContain('Third reminder');
  expect(html).toContain(`action="/notifications/${n['e2e:owner2:1']}/read"`);
  expect(html).toMatch(/<mark id="unread-count">1<\/mark> unread/);

  const marked = await postForm(t.baseUrl, cookies.owner2, `/notifications/${n['e2e:owner2:1']}/read`);
  expect(marked.status).toBe(303);
  expect(marked.location).toBe('/notifications');
  const after = await page(cookies.owner2);
  expect(after).not.toContain('id="unread-count"');
  expect(after).not.toContain(`action="/notifications/${n['e2e:owner2:1']}/read"`);

  // Another page's header shows the count too.
  await t.app.get(NotificationsService).enqueue({
    recipientUserId: ids.owner2,
    kind: 'sweep.escalation',
    dedupeKey: 'e2e:owner2:2',
    subject: 'Escalated',
    body: '',
  });
  const catalog = await (await fetch(`${t.baseUrl}/catalog`, { headers: { cookie: cookies.owner2 } })).text();
  expect(catalog).toMatch(/<mark id="unread-count">1<\/mark> unread/);
});
