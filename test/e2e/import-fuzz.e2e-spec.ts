// File imports over real HTTP fed hostile variants of good files (issue 20): the risk register CSV
// (`POST /api/risks/import`) and data-system YAML (`POST /api/dsr/systems/import`, and the same YAML through
// the page form). Whatever arrives: never a 5xx; a refusal is problem+json (the API) or the form again (the
// page) naming what is wrong; a refused import stores nothing (all or nothing), so the register and the data
// systems are exactly as before. Seeded: HOSTILE_SEED reproduces a run, HOSTILE_RUNS makes it longer.
import * as fc from 'fast-check';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';
import { EDGE_TEXTS, hostileRuns, hostileVariant } from '../support/hostile-text';

let t: TestApp;
let cookies: Record<'compliance' | 'privacy', string>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  cookies = { compliance: await login(t.baseUrl, DEMO.compliance), privacy: await login(t.baseUrl, DEMO.privacy) };
});
afterAll(async () => t?.close());

async function post(path: string, cookie: string, contentType: string, body: string) {
  const res = await fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: { cookie, 'content-type': contentType },
    body: Buffer.from(body, 'utf8'),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

/** The refusal is problem+json with a code and, for bad content, the problems named. */
function expectProblem(res: { status: number; type: string; text: string }) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.type).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as { code?: string; detail?: string; errors?: { field: string }[] };
  expect(body.code).toEqual(expect.any(String));
  if (res.status === 400 || res.status === 422) expect(body.detail || body.errors?.length).toBeTruthy();
  expect(res.text).not.toMatch(/at \w+ \(|TypeError|Cannot read prop/);
}

async function riskRefs(): Promise<string[]> {
  const res = await client(t.baseUrl, cookies.compliance)('GET', '/api/risks?limit=200');
  expect(res.status).toBe(200);
  expect(res.json.total).toBeLessThanOrEqual(200);
  return (res.json.items as { register: string; ref: string }[]).map((r) => `${r.register}/${r.ref}`).sort();
}

async function systemKeys(): Promise<string[]> {
  const res = await client(t.baseUrl, cookies.privacy)('GET', '/api/dsr/systems');
  expect(res.status).toBe(200);
  const items = (Array.isArray(res.json) ? res.json : res.json.items) as { key: string }[];
  return items.map((s) => s.key).sort();
}

describe('the risk register CSV import', () => {
  const good = [
    'register,ref,product,title,hazard,hazardous_situation,harm,severity,p1,p2,probability,status,treatment,due_on',
    'iso14971,HAZ-901,App,Wrong triage,Wrong advice,Patient follows advice,Delayed care,S4,probable,probable,,open,,',
    'security,SEC-901,App,Token leak,,,,I3,,,L4,open,mitigate,2027-01-31',
    '',
  ].join('\n');

  it('never answers 5xx, and a refused file changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileVariant(good), async (csv) => {
        const before = await riskRefs();
        const res = await post('/api/risks/import', cookies.compliance, 'text/csv', csv);
        if (res.status === 200) return;
        expectProblem(res);
        expect(await riskRefs()).toEqual(before);
      }),
      { ...hostileRuns(25), examples: EDGE_TEXTS },
    );
  });
});

describe('the data-system YAML import', () => {
  const good = [
    'key: paper-files',
    'name: Paper files',
    'kind: manual',
    'owner: { department: engineering }',
    'manual:',
    '  checklist: [Find the folder, Shred the pages]',
    '---',
    'key: call-recordings',
    'name: Call recordings',
    'kind: manual',
    'owner: { department: engineering }',
    'manual:',
    '  checklist: [Delete the recording]',
    '',
  ].join('\n');

  it('over the API: never 5xx, problems named, and a refused file registers nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileVariant(good), async (yaml) => {
        const before = await systemKeys();
        const res = await post('/api/dsr/systems/import', cookies.privacy, 'application/yaml', yaml);
        if (res.status === 200) return;
        expectProblem(res);
        expect(await systemKeys()).toEqual(before);
      }),
      { ...hostileRuns(25), examples: EDGE_TEXTS },
    );
  });

  it('through the page form: never 5xx, the form comes back with the problem, and nothing is registered', async () => {
    await fc.assert(
      fc.asyncProperty(hostileVariant(good), async (yaml) => {
        const before = await systemKeys();
        const page = await fetch(`${t.baseUrl}/dsr/systems`, { headers: { cookie: cookies.privacy } });
        const formKey = (await page.text()).match(/name="formKey" value="([A-Za-z0-9_-]+)"/)?.[1];
        expect(formKey).toBeDefined();
        const res = await postForm(t.baseUrl, cookies.privacy, '/dsr/systems/import', { formKey: formKey!, yaml });
        expect(res.status).toBeLessThan(500);
        if (res.status === 303) return;
        expect(res.headers.get('content-type')).toMatch(/text\/html|application\/problem\+json/);
        expect(res.text).not.toMatch(/at \w+ \(|TypeError|Cannot read prop/);
        expect(await systemKeys()).toEqual(before);
      }),
      { ...hostileRuns(10), examples: EDGE_TEXTS },
    );
  });
});
