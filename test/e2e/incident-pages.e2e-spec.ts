// The incident pages' forms (issue 16) over HTTP: the anti-forgery token is required, post/redirect/get
// with the form's key (a repeated POST reports nothing twice), a refused form comes back with what was typed
// and the problem next to its field, and an incident the person may not read is a 404 page.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
let manager: string;

const page = async (cookie: string, path: string) => {
  const res = await fetch(t.baseUrl + path, { headers: { cookie, accept: 'text/html' } });
  return { status: res.status, text: await res.text() };
};
const formKeyOf = (html: string) => html.match(/name="formKey" value="([A-Za-z0-9_-]+)"/)?.[1];
const HOUR = 3_600_000;
/** A `datetime-local` value in Bangkok (the test app's compliance zone, UTC+7 all year). */
const local = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 16);
const report = {
  title: 'Status page down',
  description: 'The public status page answered 502.',
  severity: 'SEV3',
  categories: ['availability'],
};

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  manager = await login(t.baseUrl, DEMO.compliance);
});
afterAll(async () => t?.close());

it('the report form needs the token, and a repeated POST with the same key reports once', async () => {
  const forged = await postForm(t.baseUrl, manager, '/incidents', { ...report, _csrf: '' });
  expect(forged.status).toBe(403);

  const key = formKeyOf((await page(manager, '/incidents/new')).text)!;
  expect(key).toBeDefined();
  const first = await postForm(t.baseUrl, manager, '/incidents', { ...report, formKey: key });
  expect(first.status).toBe(303);
  expect(first.location).toMatch(/^\/incidents\/[0-9a-f-]{36}$/);
  const again = await postForm(t.baseUrl, manager, '/incidents', { ...report, formKey: key });
  expect(again.location).toBe(first.location);
  const register = await page(manager, '/incidents?q=Status+page+down');
  expect(register.text.match(/data-ref="INC-\d{4}"/g)).toHaveLength(1);
});

it('a refused report comes back with the input kept and the problem next to its field', async () => {
  const res = await postForm(t.baseUrl, manager, '/incidents', {
    ...report,
    title: 'Printer on fire',
    categories: [],
  });
  expect(res.status).toBe(400);
  expect(res.text).toContain('value="Printer on fire"');
  expect(res.text).toMatch(/id="categories-error">Choose at least one category\./);
});

it('a notice before awareness is refused on the incident page, next to sentAt, the channel kept', async () => {
  const privacy = await login(t.baseUrl, DEMO.privacy);
  const created = await postForm(t.baseUrl, privacy, '/incidents', {
    ...report,
    title: 'Spreadsheet shared publicly',
    categories: ['personal_data_breach'],
  });
  const res = await postForm(t.baseUrl, privacy, `${created.location}/notices`, {
    kind: 'pdpc_office',
    sentAt: '2020-01-01T10:00',
    channel: 'PDPC e-service',
  });
  expect(res.status).toBe(400);
  expect(res.text).toContain('id="sentAt-error"');
  expect(res.text).toContain('value="PDPC e-service"');
  // The viewer may not read it: a 404 page, not its facts.
  const viewer = await login(t.baseUrl, DEMO.viewer);
  const hidden = await page(viewer, created.location!);
  expect(hidden.status).toBe(404);
  expect(hidden.text).not.toContain('Spreadsheet shared publicly');
});

describe('correcting the facts', () => {
  const awareMs = Math.floor((Date.now() - 5 * HOUR) / 60_000) * 60_000;
  /** The "Correct the facts" form as the page prefills it for the breach reported below. */
  const facts = (over: Record<string, string | string[]> = {}) => ({
    title: 'Lab results e-mailed to the wrong patients',
    description: 'A batch job sent letters to old addresses.',
    categories: ['personal_data_breach'],
    awareAt: local(awareMs),
    affectedSystems: 'mailer',
    products: '',
    customers: '',
    adverseEventCategory: '',
    ...over,
  });
  let id: string;
  let api: ReturnType<typeof client>;
  const officeDue = async () =>
    Date.parse(
      (await api('GET', `/api/incidents/${id}`)).json.clocks.find((c: { key: string }) => c.key === 'breach_office')
        .dueAt,
    );

  beforeAll(async () => {
    api = client(t.baseUrl, manager);
    const created = await postForm(t.baseUrl, manager, '/incidents', {
      ...facts(),
      severity: 'SEV3',
      detectedAt: local(awareMs - 3 * HOUR),
    });
    expect(created.status).toBe(303);
    id = created.location!.split('/').pop()!;
  });

  it('the form is prefilled; moving awareAt moves the Office clock by as much, once for a repeated POST', async () => {
    const html = (await page(manager, `/incidents/${id}`)).text;
    expect(html).toContain('<summary>Correct the facts</summary>');
    expect(html).toMatch(new RegExp(`name="awareAt" value="${local(awareMs)}"`));
    const version = html.match(/id="facts-form">[\s\S]*?name="version" value="(\d+)"/)?.[1];
    expect(version).toBeDefined();
    const before = await officeDue();

    // An untouched form changes nothing.
    const same = await postForm(t.baseUrl, manager, `/incidents/${id}/facts`, {
      ...facts(),
      version: version!,
      formKey: formKeyOf(html)!,
    });
    expect(same.status).toBe(303);
    const updates = async () =>
      (await api('GET', `/api/audit-trail?action=incident.update&subjectId=${id}`)).json.items.length;
    expect(await updates()).toBe(0);

    const key = formKeyOf((await page(manager, `/incidents/${id}`)).text)!;
    const moved = facts({ awareAt: local(awareMs - 2 * HOUR), version: version!, formKey: key });
    const first = await postForm(t.baseUrl, manager, `/incidents/${id}/facts`, moved);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/incidents/${id}#facts`);
    expect((await officeDue()) - before).toBe(-2 * HOUR);

    // The same form again, and a refresh of where it led, repeat nothing.
    const again = await postForm(t.baseUrl, manager, `/incidents/${id}/facts`, moved);
    expect(again.location).toBe(first.location);
    const shown = await page(manager, first.location!);
    expect(shown.status).toBe(200);
    expect(shown.text).toMatch(new RegExp(`name="awareAt" value="${local(awareMs - 2 * HOUR)}"`));
    await page(manager, first.location!);
    expect(await updates()).toBe(1);
    expect((await officeDue()) - before).toBe(-2 * HOUR);
  });

  it('an awareAt in the future is refused next to its field, the typed values kept, nothing changed', async () => {
    const before = await officeDue();
    const future = local(Date.now() + 3 * HOUR);
    const res = await postForm(
      t.baseUrl,
      manager,
      `/incidents/${id}/facts`,
      facts({ awareAt: future, title: 'Lab results e-mailed twice', products: 'Attest Lab' }),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<details id="correct-facts" open>/);
    expect(res.text).toMatch(/id="awareAt-error">Aware at must not be in the future\./);
    expect(res.text).toContain(`value="${future}"`);
    expect(res.text).toContain('value="Lab results e-mailed twice"');
    expect(res.text).toContain('value="Attest Lab"');
    const after = (await api('GET', `/api/incidents/${id}`)).json;
    expect(after.title).toBe('Lab results e-mailed to the wrong patients');
    expect(await officeDue()).toBe(before);
  });
});
