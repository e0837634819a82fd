// Post/redirect/get on the DSR pages (issue 12): the export's result page used to be the POST response
// itself, so reloading it exported again (new SHA-256, attempts 2, the one-time link gone). Every
// state-changing DSR form now answers 303 to a GET page; the form's idempotency key (hidden `formKey`,
// fresh per rendered page) makes a repeated POST redirect to the first result without running again; the
// download link is shown by the GET page, which can be reloaded.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { openDemoPlatform, type DemoPatient, type DemoPlatform } from '../support/demo-platform';
import { postForm } from '../support/forms';

let t: TestApp;
let demo: DemoPlatform;
let cookie: string;
let privacy: ReturnType<typeof client>;

const page = async (path: string) =>
  (await fetch(t.baseUrl + path, { headers: { cookie, accept: 'text/html' } })).text();
/** The form key a rendered page gives its forms. */
const formKeyOf = (html: string) => html.match(/name="formKey" value="([A-Za-z0-9_-]+)"/)?.[1];

async function verifiedAccess(p: DemoPatient): Promise<string> {
  const created = await privacy('POST', '/api/dsr/requests', {
    right: 'access',
    channel: 'email',
    subject: { name: p.first_name, email: p.email },
  });
  await privacy('POST', `/api/dsr/requests/${created.json.id}/verify-identity`, {
    method: 'id_document',
    reference: 'ID card',
  });
  return created.json.id;
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', DSR_DEMO_PLATFORM: '1' } });
  cookie = await login(t.baseUrl, DEMO.privacy);
  privacy = client(t.baseUrl, cookie);
  demo = await openDemoPlatform(t);
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await t?.close();
});

it('export answers 303; reloading the result page and re-posting the same form run nothing again', async () => {
  const id = await verifiedAccess(await demo.patient(60));
  const key = formKeyOf(await page(`/dsr/${id}`));
  expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);

  const first = await postForm(t.baseUrl, cookie, `/dsr/${id}/export`, { formKey: key! });
  expect(first.status).toBe(303);
  expect(first.location).toBe(`/dsr/${id}?result=${key}`);
  const after = (await privacy('GET', `/api/dsr/requests/${id}`)).json;
  const exportStep = () => after.actions.find((a: { kind: string }) => a.kind === 'export');
  expect(exportStep()).toMatchObject({ attempts: 1, status: 'done' });

  // The GET page shows the one-time link; reloading it shows the same link.
  const shown = await page(first.location!);
  const link = shown.match(/href="(\/api\/dsr\/exports\/[A-Za-z0-9_-]{43})" id="download-export"/)?.[1];
  expect(link).toBeDefined();
  expect(
    (await page(first.location!)).match(/href="(\/api\/dsr\/exports\/[A-Za-z0-9_-]{43})" id="download-export"/)?.[1],
  ).toBe(link);

  // The browser re-sends the POST (reload of a POST answer, back + submit, double click): same redirect, no second run.
  const again = await postForm(t.baseUrl, cookie, `/dsr/${id}/export`, { formKey: key! });
  expect([again.status, again.location]).toEqual([303, first.location]);
  const now = (await privacy('GET', `/api/dsr/requests/${id}`)).json;
  expect(now.actions.find((a: { kind: string }) => a.kind === 'export')).toMatchObject({ attempts: 1 });
  expect([now.exportSha256, now.exportedAt]).toEqual([after.exportSha256, after.exportedAt]);
  const trail = await client(t.baseUrl, await login(t.baseUrl, DEMO.admin))('GET', `/api/audit-trail?subjectId=${id}`);
  expect(trail.json.items.filter((e: { action: string }) => e.action === 'dsr.exported')).toHaveLength(1);

  // The link still downloads the package whose hash is recorded.
  const download = await fetch(t.baseUrl + link!, { headers: { cookie } });
  expect(download.status).toBe(200);

  // A new page render gives a new key: exporting again on purpose runs again.
  const key2 = formKeyOf(await page(`/dsr/${id}`));
  expect(key2).not.toBe(key);
  expect((await postForm(t.baseUrl, cookie, `/dsr/${id}/export`, { formKey: key2! })).status).toBe(303);
  const trail2 = await client(t.baseUrl, await login(t.baseUrl, DEMO.admin))('GET', `/api/audit-trail?subjectId=${id}`);
  expect(trail2.json.items.filter((e: { action: string }) => e.action === 'dsr.exported')).toHaveLength(2);
});

it('every other state-changing form redirects, and a repeat with the same key is recognised, not refused or re-run', async () => {
  const p = await demo.patient(61);
  const list = await page('/dsr');
  const key = formKeyOf(list)!;
  const fields = {
    right: 'erasure',
    erasureGround: 'no_longer_necessary',
    channel: 'email',
    subjectName: p.first_name,
    subjectEmail: p.email,
    formKey: key,
  };
  const created = await postForm(t.baseUrl, cookie, '/dsr', fields);
  expect(created.status).toBe(303);
  const again = await postForm(t.baseUrl, cookie, '/dsr', fields);
  expect([again.status, again.location]).toEqual([303, created.location]); // one request, not two
  const id = created.location!.split('/')[2];
  expect((await privacy('GET', `/api/dsr/requests/${id}`)).json).toMatchObject({
    right: 'erasure',
    ground: 'no_longer_necessary',
  });

  const k = formKeyOf(await page(`/dsr/${id}`))!;
  const verify = { method: 'id_document', reference: 'ID card', formKey: k };
  expect((await postForm(t.baseUrl, cookie, `/dsr/${id}/verify`, verify)).status).toBe(303);
  // Verifying twice would be a bad transition (422); the repeat is recognised instead.
  const twice = await postForm(t.baseUrl, cookie, `/dsr/${id}/verify`, verify);
  expect([twice.status, twice.location]).toEqual([303, `/dsr/${id}`]);

  const hold = { reason: 'Litigation hold: case 9/2569', formKey: k };
  expect((await postForm(t.baseUrl, cookie, `/dsr/${id}/holds`, hold)).status).toBe(303);
  expect((await postForm(t.baseUrl, cookie, `/dsr/${id}/holds`, hold)).status).toBe(303);
  expect((await privacy('GET', `/api/dsr/requests/${id}`)).json.legalHolds).toHaveLength(1);

  // A failed submission keeps nothing: fixing the cause and sending the same form again runs it.
  const holdId = (await privacy('GET', `/api/dsr/requests/${id}`)).json.legalHolds[0].id;
  const blocked = await postForm(t.baseUrl, cookie, `/dsr/${id}/erase`, { graceDays: '0', formKey: k });
  expect(blocked.status).toBe(422);
  expect((await postForm(t.baseUrl, cookie, `/dsr/${id}/holds/${holdId}/release`, { formKey: k })).status).toBe(303);
  const erase = await postForm(t.baseUrl, cookie, `/dsr/${id}/erase`, { graceDays: '0', formKey: k });
  expect([erase.status, erase.location]).toEqual([303, `/dsr/${id}`]);
  expect((await privacy('GET', `/api/dsr/requests/${id}`)).json.status).toBe('completed');

  // A key of the wrong shape is a 400 naming the field.
  const bad = await postForm(
    t.baseUrl,
    cookie,
    `/dsr/${id}/complete`,
    { note: 'x', formKey: 'short' },
    { accept: 'application/json' },
  );
  expect(bad.status).toBe(400);
  expect(JSON.parse(bad.text).errors.map((e: { field: string }) => e.field)).toEqual(['formKey']);
});
