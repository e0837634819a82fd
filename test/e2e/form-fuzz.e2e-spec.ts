// Hostile input through the pages (issue 20): every state-changing form a person can reach, found the way
// they find it — signed in as each demo persona, following the links of the pages from the home page and
// reading each page's `<form method="post">` (its action with real ids, its fields and the values the page
// fills in). Each form is then sent
//   - without its anti-forgery token: refused with 403, whatever else it carries;
//   - with its token and fields broken on purpose (NUL and control characters, very long, Thai and RTL text,
//     binary, empty, missing, repeated so they arrive as arrays; a multipart form's file empty, random,
//     with a hostile name): never a 5xx, and a refusal is a page or problem+json without a stack trace.
// Seeded and bounded: FORM_FUZZ_RUNS (default 6) broken submissions per form, FORM_FUZZ_SEED to replay,
// FORM_FUZZ_LIST=1 to print the forms and pages the walk found.
import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { csrfToken } from '../support/forms';
import { hostileString, leaksStack } from '../support/openapi-fuzz';

jest.setTimeout(600_000);

const SEED = Number(process.env.FORM_FUZZ_SEED ?? 2026_12_06);
const RUNS = Number(process.env.FORM_FUZZ_RUNS ?? 6);
const MAX_PAGES = 70;
const WALK_PRODUCT = 'Form walk product';
const PRODUCT_REGISTER = `/risks?${new URLSearchParams({ register: 'iso14971', product: WALK_PRODUCT }).toString()}`;
const PERSONAS = ['admin', 'compliance', 'owner', 'owner2', 'privacy', 'auditor', 'viewer'] as const;

/** Forms the walk must not send: they would end the session it walks with, or change a demo account. */
const SKIP_ACTIONS: [RegExp, string][] = [
  [/^\/logout$/, 'ends the session the walk uses'],
  [/^\/login$/, 'public; covered by the sign-in tests and the API fuzz'],
  [/^\/admin\/users\/[^/]+$/, 'could demote or deactivate a demo user the walk signs in as'],
  [/^\/audit\/engagements\/[^/]+\/revoke$/, "would end the demo auditor's engagement before the auditor's walk"],
];
/** Links the crawl does not follow: downloads and exports (not pages), the API, signing out. */
const SKIP_LINKS = /^\/(api|static|assets|logout)\b|download|export|\.(csv|pdf|zip|json|xml|yaml)\b|\/file\b/;

interface Field {
  name: string;
  value: string;
  file: boolean;
}
interface PageForm {
  persona: string;
  page: string;
  action: string;
  multipart: boolean;
  fields: Field[];
}

const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
const attr = (attrs: string, name: string) => unescape(new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(attrs)?.[1] ?? '');
/** A path with its ids and numbers replaced, so that one form or page of each kind is enough. */
const shape = (path: string) =>
  path
    .split('?')[0]
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
    .replace(/\/[A-Z]{2,6}-\d{1,5}(?=\/|$)/g, '/:key')
    .replace(/\/\d+(?=\/|$)/g, '/:n');

function formsOf(html: string, page: string, persona: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, attrs, body] = m;
    if (attr(attrs, 'method').toLowerCase() !== 'post') continue;
    const action = new URL(attr(attrs, 'action') || page, 'http://x').pathname;
    const fields: Field[] = [];
    for (const f of body.matchAll(/<(input|textarea|select)\b([^>]*)>([\s\S]*?<\/(?:select|textarea)>)?/gi)) {
      const [, tag, a, inner = ''] = f;
      const name = attr(a, 'name');
      if (!name) continue;
      const type = attr(a, 'type').toLowerCase();
      if (type === 'submit' && !attr(a, 'value')) continue;
      const value =
        tag.toLowerCase() === 'select'
          ? unescape(
              /<option\b[^>]*\bvalue="([^"]*)"[^>]*\bselected/i.exec(inner)?.[1] ??
                /<option\b[^>]*\bvalue="([^"]*)"/i.exec(inner)?.[1] ??
                '',
            )
          : tag.toLowerCase() === 'textarea'
            ? unescape(inner.replace(/<\/textarea>$/i, ''))
            : attr(a, 'value');
      fields.push({ name, value, file: type === 'file' });
    }
    forms.push({ persona, page, action, multipart: /multipart/i.test(attr(attrs, 'enctype')), fields });
  }
  return forms;
}

let t: TestApp;
const cookies = new Map<string, string>();
const found = new Map<string, PageForm>(); // persona + action shape → the first such form seen
const failures: string[] = [];
const visitedPages = new Set<string>();

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  for (const persona of PERSONAS) cookies.set(persona, await login(t.baseUrl, DEMO[persona]));
  // The demo data has no incident: one of each kind, so that an incident's own forms are on a page too.
  for (const categories of [['personal_data_breach', 'security'], ['clinical_safety']]) {
    const res = await client(t.baseUrl, cookies.get('compliance')!)('POST', '/api/incidents', {
      title: `Form walk: ${categories.join(', ')}`,
      description: 'Reported so that the walk finds the incident page and its forms.',
      severity: 'SEV2',
      categories,
    });
    expect(res.status).toBe(201);
  }
  // This week's sweep (its tasks' forms) and a data subject request (its forms), which the demo data lacks.
  expect((await client(t.baseUrl, cookies.get('compliance')!)('POST', '/api/sweeps', {})).status).toBeLessThan(300);
  const dsr = await client(t.baseUrl, cookies.get('privacy')!)('POST', '/api/dsr/requests', {
    right: 'access',
    channel: 'email',
    subject: { name: 'Walk Subject', email: 'walk.subject@example.com' },
  });
  expect(dsr.status).toBe(201);
  // A risk (its page has the add-control form), whose product's register page has the risk management plan form.
  const risk = await client(t.baseUrl, cookies.get('owner2')!)('POST', '/api/risks', {
    register: 'iso14971',
    ref: 'HAZ-990',
    product: WALK_PRODUCT,
    title: 'Form walk hazard',
    hazard: 'Wrong advice',
    hazardousSituation: 'Advice followed',
    harm: 'Delayed treatment',
    severity: 'S2',
    probability: 'remote',
  });
  expect(risk.status).toBe(201);
  // Walk first, for every persona, before sending anything: a sent form may change what later pages show.
  for (const persona of PERSONAS) {
    const cookie = cookies.get(persona)!;
    // The product's register (with its plan) is /risks with a query, which the walk's shapes count as /risks seen.
    const queue = ['/', PRODUCT_REGISTER];
    const seen = new Set<string>([shape('/')]);
    for (let visited = 0; queue.length > 0 && visited < MAX_PAGES; visited++) {
      const page = queue.shift()!;
      visitedPages.add(`${persona}:${page}`);
      const res = await fetch(t.baseUrl + page, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
      const html = await res.text();
      if (res.status >= 500) failures.push(`GET ${page} as ${persona}: ${res.status}`);
      if (!(res.headers.get('content-type') ?? '').includes('text/html')) continue;
      for (const form of formsOf(html, page, persona)) {
        const key = `${persona} ${shape(form.action)}`;
        if (!found.has(key)) found.set(key, form);
      }
      for (const [, href] of html.matchAll(/\bhref="(\/[^"#]*)"/g)) {
        const link = unescape(href);
        if (SKIP_LINKS.test(link) || seen.has(shape(link))) continue;
        seen.add(shape(link));
        queue.push(link);
      }
    }
  }
});
afterAll(async () => t?.close());

type Submission = { fields: [string, string][]; file: { name: string; bytes: Uint8Array } | null };

const brokenSubmission = (form: PageForm): fc.Arbitrary<Submission> =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 2, arbitrary: fc.constant<'keep'>('keep') },
          { weight: 4, arbitrary: hostileString.map((s) => ({ replace: s })) },
          { weight: 1, arbitrary: fc.constant<'drop'>('drop') },
          { weight: 1, arbitrary: hostileString.map((s) => ({ twice: s })) },
        ),
        { minLength: form.fields.length, maxLength: form.fields.length },
      ),
      fc.oneof(
        fc.constant({ name: 'empty.pdf', bytes: new Uint8Array() }),
        fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ name: 'random.bin', bytes })),
        hostileString.map((name) => ({ name: name || 'x', bytes: new TextEncoder().encode('%PDF-1.7\n%%EOF\n') })),
      ),
    )
    .map(([changes, file]) => {
      const fields: [string, string][] = [];
      form.fields.forEach((f, i) => {
        if (f.file || f.name === '_csrf') return;
        const c = changes[i];
        if (c === 'drop') return;
        if (c === 'keep') fields.push([f.name, f.value]);
        else if ('replace' in c) fields.push([f.name, c.replace]);
        else fields.push([f.name, c.twice], [f.name, c.twice]);
      });
      return { fields, file: form.fields.some((f) => f.file) ? file : null };
    });

async function send(form: PageForm, s: Submission, token: string | null) {
  const cookie = cookies.get(form.persona)!;
  const fields: [string, string][] = token === null ? s.fields : [...s.fields, ['_csrf', token]];
  let body: FormData | string;
  const headers: Record<string, string> = { cookie, accept: 'text/html' };
  if (form.multipart) {
    const data = new FormData();
    for (const [k, v] of fields) data.append(k, v);
    const fileField = form.fields.find((f) => f.file);
    if (fileField && s.file) data.append(fileField.name, new Blob([s.file.bytes]), s.file.name);
    body = data;
  } else {
    body = new URLSearchParams(fields).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(t.baseUrl + form.action, { method: 'POST', redirect: 'manual', headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

const skipped = (form: PageForm) => SKIP_ACTIONS.find(([re]) => re.test(form.action));

it('finds the state-changing forms of every persona', () => {
  const actions = new Set([...found.values()].filter((f) => !skipped(f)).map((f) => shape(f.action)));
  if (process.env.FORM_FUZZ_LIST)
    process.stderr.write([...found.keys()].join('\n') + '\n' + [...visitedPages].join(' ') + '\n');
  // The walk must reach the forms of each module, or the test below proves little.
  for (const expected of [
    '/risks',
    '/incidents',
    '/incidents/:id/timeline',
    '/dsr',
    '/dsr/drills',
    '/notifications/read-all',
    '/audit/engagements',
    '/controls/:key/owner',
    '/sweep/tasks/:id/outcome',
    '/sweep/tasks/:id/evidence',
    '/dsr/:id/verify',
    '/audit/engagements/:id/requests',
    '/admin/users',
  ])
    expect([...actions]).toContain(expected);
  expect(failures).toEqual([]);
});

it('refuses every form sent without its anti-forgery token (403), and never answers a broken one with a 5xx', async () => {
  const forms = [...found.values()].filter((f) => !skipped(f));
  for (const [n, form] of forms.entries()) {
    const where = `POST ${form.action} as ${form.persona} (form on ${form.page})`;
    const token = await csrfToken(t.baseUrl, cookies.get(form.persona)!);

    const asIs: Submission = {
      fields: form.fields.filter((f) => !f.file && f.name !== '_csrf').map((f) => [f.name, f.value]),
      file: form.fields.some((f) => f.file) ? { name: 'a.pdf', bytes: new TextEncoder().encode('%PDF-1.7\n') } : null,
    };
    const forged = await send(form, asIs, null);
    if (forged.status !== 403) failures.push(`${where} without _csrf: ${forged.status}, expected 403`);

    for (const s of fc.sample(brokenSubmission(form), { seed: SEED + n, numRuns: RUNS })) {
      const res = await send(form, s, token);
      const sent = JSON.stringify(s.fields).slice(0, 300);
      if (res.status >= 500) failures.push(`${where}: ${res.status} for ${sent}: ${res.text.slice(0, 300)}`);
      else if (res.status >= 400 && !/text\/html|application\/problem\+json/.test(res.type))
        failures.push(`${where}: ${res.status} as ${res.type} for ${sent}`);
      if (leaksStack(res.text)) failures.push(`${where}: a stack trace in the answer to ${sent}`);
    }
  }
  expect(failures).toEqual([]);
});
