// The user-admin page's "Add a user" form: a user added shows the one-time password once (201, the page
// itself: never in a URL); a refused form is the page again (400, 409) with what was typed, the choices
// kept and each problem next to its field, and nothing created.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  admin = await login(t.baseUrl, DEMO.admin);
});
afterAll(async () => t?.close());

const add = (fields: Record<string, string>) => postForm(t.baseUrl, admin, '/admin/users', fields);
const users = async (email: string) =>
  (
    (await client(t.baseUrl, admin)('GET', `/api/users?q=${encodeURIComponent(email)}&limit=10`)).json.items as {
      email: string;
    }[]
  ).filter((u) => u.email === email);

describe('Add a user', () => {
  it('creates the user and shows the one-time password on the answer, once', async () => {
    const res = await add({
      email: 'new.admin.page@example.test',
      name: 'Napat Page',
      role: 'control_owner',
      department: 'engineering',
    });
    expect(res.status).toBe(201);
    expect(res.text).toMatch(/<code id="one-time-password">[^<]{12,}<\/code>/);
    expect(res.headers.get('location')).toBeNull();
    expect(await users('new.admin.page@example.test')).toHaveLength(1);
    // The form below is empty again.
    expect(res.text).toContain('<input type="email" name="email" required value="">');
  });

  it('refuses a taken e-mail address with the form as typed (409), and creates nothing', async () => {
    const res = await add({ email: DEMO.owner, name: 'Someone Else', role: 'privacy_officer', department: 'privacy' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('id="create-user-error"');
    expect(res.text).toContain('value="Someone Else"');
    expect(res.text).toContain(`value="${DEMO.owner}"`);
    expect(res.text).toMatch(/<option value="privacy_officer" selected>/);
    expect(res.text).toMatch(/<option value="privacy" selected>/);
    expect(res.text).not.toContain('id="one-time-password"');
    expect(await users(DEMO.owner)).toHaveLength(1);
  });

  it.each([
    ['email', { email: 'not an address', name: 'Bad Mail', role: 'viewer', department: '' }],
    ['name', { email: 'no.name@example.test', name: '', role: 'viewer', department: '' }],
    ['role', { email: 'bad.role@example.test', name: 'Bad Role', role: 'superuser', department: '' }],
    ['department', { email: 'bad.dept@example.test', name: 'Bad Dept', role: 'viewer', department: 'Not A Key!' }],
  ])('refuses a bad %s with 400, the problem next to that field and the rest kept', async (field, fields) => {
    const res = await add(fields);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(new RegExp(`<small class="error" id="user-${field}-error">[^<]+</small>`));
    expect(res.text).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"`));
    for (const other of ['email', 'name'].filter((f) => f !== field))
      expect(res.text).toContain(`value="${(fields as Record<string, string>)[other]}"`);
    expect(res.text).not.toContain('id="one-time-password"');
    if (fields.email.includes('@')) expect(await users(fields.email)).toHaveLength(0);
  });
});
