// The controlled-document pages (issue 17) over HTTP: the anti-forgery token is required, post/redirect/get
// with the form's key (a repeated POST creates one version), a refused form comes back with what was typed
// and the problem next to its field (a wrong password never echoed), hostile Markdown reaches the page inert,
// a document or version the person may not read is a 404 page, and a bad query is a 400, never a 500.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
let manager: string;
let viewer: string;

const page = async (cookie: string, path: string) => {
  const res = await fetch(t.baseUrl + path, { headers: { cookie, accept: 'text/html' } });
  return { status: res.status, text: await res.text() };
};
const formKeyOf = (html: string) => html.match(/name="formKey" value="([A-Za-z0-9_-]+)"/)?.[1];
const KEY = 'STD-PAGES';
const HOSTILE = [
  '# Hardening standard',
  '',
  '<script>alert(1)</script>',
  '<img src=x onerror="alert(2)">',
  '[click me](javascript:alert(3))',
  '<a href="javascript:alert(4)">raw link</a>',
].join('\n');

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  manager = await login(t.baseUrl, DEMO.compliance);
  viewer = await login(t.baseUrl, DEMO.viewer);
});
afterAll(async () => t?.close());

it('the new-document form needs the token; a refused one keeps its input, the problem next to the field', async () => {
  const fields = {
    key: KEY,
    title: 'Server hardening standard',
    type: 'standard',
    ownerDepartment: 'engineering',
    roles: ['viewer'],
    controls: 'ENG-02',
  };
  expect((await postForm(t.baseUrl, manager, '/documents', { ...fields, _csrf: '' })).status).toBe(403);

  const refused = await postForm(t.baseUrl, manager, '/documents', { ...fields, key: 'not a key', title: '' });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('id="key-error"');
  expect(refused.text).toContain('id="title-error"');
  expect(refused.text).toContain('value="not a key"');
  expect(refused.text).toMatch(/<input type="checkbox" name="roles" value="viewer" checked>/);

  const created = await postForm(t.baseUrl, manager, '/documents', fields);
  expect([created.status, created.location]).toEqual([303, `/documents/${KEY}`]);
});

it('a version is created once per form key, and its hostile Markdown reaches the page inert', async () => {
  const key = formKeyOf((await page(manager, `/documents/${KEY}`)).text)!;
  const fields = { content: HOSTILE, changeSummary: 'First issue', material: '1', formKey: key };
  const first = await postForm(t.baseUrl, manager, `/documents/${KEY}/versions`, fields);
  expect([first.status, first.location]).toEqual([303, `/documents/${KEY}#open-version-1`]);
  const again = await postForm(t.baseUrl, manager, `/documents/${KEY}/versions`, fields);
  expect(again.location).toBe(first.location);
  const doc = await client(t.baseUrl, manager)('GET', `/api/documents/${KEY}`);
  expect(doc.json.versions).toHaveLength(1);

  const html = (await page(manager, `/documents/${KEY}`)).text;
  const rendered = html.slice(
    html.indexOf('<article class="markdown">'),
    html.indexOf('</article>', html.indexOf('<article class="markdown">')),
  );
  expect(rendered).toContain('<h1>Hardening standard</h1>');
  expect(rendered).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(rendered).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  expect(rendered).not.toMatch(/<script|<img|<a\b|href="javascript:/i);
});

it('a wrong password is refused next to its field (403), the meaning kept, the password not echoed', async () => {
  await postForm(t.baseUrl, manager, `/documents/${KEY}/versions/1/submit`);
  const refused = await postForm(t.baseUrl, manager, `/documents/${KEY}/versions/1/sign`, {
    meaning: 'reviewed',
    password: 'hunter2-not-mine',
  });
  expect(refused.status).toBe(403);
  expect(refused.text).toMatch(/id="password-error">The password is not yours: nothing was signed\./);
  expect(refused.text).toMatch(/name="meaning" value="reviewed" checked/);
  expect(refused.text).not.toContain('hunter2-not-mine');
  const v = await client(t.baseUrl, manager)('GET', `/api/documents/${KEY}/versions/1`);
  expect(v.json.signatures).toEqual([]);
});

it('what the person may not read is a 404 page; a bad query a 400, never a 500', async () => {
  expect((await page(viewer, `/documents/${KEY}`)).status).toBe(404);
  expect((await page(viewer, '/documents/not-a-key')).status).toBe(404);
  expect((await page(manager, `/documents/${KEY}?version=99`)).status).toBe(404);
  expect((await page(manager, `/documents/${KEY}?diff=1&against=7`)).status).toBe(404);
  expect((await page(manager, `/documents/${KEY}?version=abc`)).status).toBe(400);
  expect((await page(manager, '/documents?type=memo')).status).toBe(400);
  expect((await page(manager, `/documents/${KEY}?version=`)).status).toBe(200);
  const list = await page(viewer, '/documents');
  expect(list.status).toBe(200);
  expect(list.text).not.toContain(KEY);
  expect(list.text).not.toContain('id="new-document-form"');
  const mine = await page(viewer, '/me/acknowledgements');
  expect([mine.status, mine.text.includes('id="nothing-to-acknowledge"')]).toEqual([200, true]);
  const someoneElses = await postForm(
    t.baseUrl,
    viewer,
    '/me/acknowledgements/00000000-0000-4000-8000-000000000000/acknowledge',
  );
  expect(someoneElses.status).toBe(404);
});
