// The incident pages' forms (issue 16) over HTTP: the anti-forgery token is required, post/redirect/get
// with the form's key (a repeated POST reports nothing twice), a refused form comes back with what was typed
// and the problem next to its field, and an incident the person may not read is a 404 page.
import { startTestApp, TestApp } from '../support/app';
import { DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
let manager: string;

const page = async (cookie: string, path: string) => {
  const res = await fetch(t.baseUrl + path, { headers: { cookie, accept: 'text/html' } });
  return { status: res.status, text: await res.text() };
};
const formKeyOf = (html: string) => html.match(/name="formKey" value="([A-Za-z0-9_-]+)"/)?.[1];
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
  expect(res.text).toMatch(/id="categories-error">categories must name at least one category/);
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
