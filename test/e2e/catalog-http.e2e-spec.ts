// The shipped catalog through the API: frameworks, requirements, controls both ways, coverage at 100%
// for all four frameworks, owner assignment (who may, and what is refused), and the exports.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let as: Record<'compliance' | 'owner' | 'auditor', ReturnType<typeof client>>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  as = {
    compliance: client(t.baseUrl, await login(t.baseUrl, DEMO.compliance)),
    owner: client(t.baseUrl, await login(t.baseUrl, DEMO.owner)),
    auditor: client(t.baseUrl, await login(t.baseUrl, DEMO.auditor)),
  };
});
afterAll(async () => t?.close());

it('lists the four frameworks with counts', async () => {
  const res = await as.auditor('GET', '/api/frameworks');
  expect(res.status).toBe(200);
  expect(res.json.items.map((f: { key: string }) => f.key)).toEqual(['iso14971', 'pdpa', 'samd', 'soc2']);
  const soc2 = res.json.items.find((f: { key: string }) => f.key === 'soc2');
  expect(soc2).toMatchObject({ requirements: 61, version: 1 });
  expect(soc2.controls).toBeGreaterThan(10);
});

it.each(['pdpa', 'soc2', 'iso14971', 'samd'])(
  '%s is fully covered: every requirement mapped or explicitly not applicable',
  async (key) => {
    const res = await as.owner('GET', `/api/frameworks/${key}/coverage`);
    expect(res.status).toBe(200);
    expect(res.json.framework).toBe(key);
    expect(res.json.uncovered).toEqual([]);
    expect(res.json.covered + res.json.notApplicable).toBe(res.json.total);
  },
);

it('pages requirements in catalog order, each with the controls that satisfy it', async () => {
  const page = await as.owner('GET', '/api/frameworks/soc2/requirements?limit=5&offset=0');
  expect(page.json.total).toBe(61);
  expect(page.json.items.map((r: { ref: string }) => r.ref)).toEqual(['CC1.1', 'CC1.2', 'CC1.3', 'CC1.4', 'CC1.5']);
  for (const r of page.json.items) expect(r.controls.length).toBeGreaterThan(0);
  const search = await as.owner('GET', '/api/frameworks/pdpa/requirements?q=s37');
  expect(search.json.items.map((r: { ref: string }) => r.ref)).toEqual(expect.arrayContaining(['s37(1)', 's37(4)']));
  expect((await as.owner('GET', '/api/frameworks/nope/requirements')).status).toBe(404);
  expect((await as.owner('GET', '/api/frameworks/NOT_A_KEY/requirements')).json.errors[0].field).toBe('key');
});

it('filters controls by framework, department and cadence, and shows the mapping from the control side', async () => {
  const privacy = await as.owner('GET', '/api/controls?department=privacy&limit=200');
  expect(privacy.json.total).toBeGreaterThan(0);
  expect(privacy.json.items.every((c: { ownerDepartment: string }) => c.ownerDepartment === 'privacy')).toBe(true);
  const weeklySamd = await as.owner('GET', '/api/controls?framework=samd&cadence=weekly&limit=200');
  for (const c of weeklySamd.json.items) {
    expect(c.cadence).toBe('weekly');
    expect(c.requirements.some((r: { framework: string }) => r.framework === 'samd')).toBe(true);
  }
  const one = await as.owner('GET', `/api/controls/${privacy.json.items[0].key}`);
  expect(one.json.requirements.length).toBeGreaterThan(0);
  expect((await as.owner('GET', '/api/controls/ZZZ-99')).status).toBe(404);
  expect((await as.owner('GET', '/api/controls?cadence=hourly')).json.errors[0].field).toBe('cadence');
});

it('a compliance manager assigns an owner, who then finds the control under owner=me; others may not assign', async () => {
  const ownerMe = await as.owner('GET', '/api/me');
  const key = (await as.owner('GET', '/api/controls?department=engineering&limit=1')).json.items[0].key;
  expect((await as.owner('PUT', `/api/controls/${key}/owner`, { userId: ownerMe.json.id })).status).toBe(403);
  expect((await as.auditor('PUT', `/api/controls/${key}/owner`, { userId: ownerMe.json.id })).status).toBe(403);
  const bad = await as.compliance('PUT', `/api/controls/${key}/owner`, {
    userId: '00000000-0000-4000-8000-000000000000',
  });
  expect(bad.status).toBe(400);
  expect(bad.json.errors).toEqual([{ field: 'userId', message: 'is not an active user' }]);
  const ok = await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: ownerMe.json.id });
  expect(ok.json).toMatchObject({ key, ownerUserId: ownerMe.json.id, ownerName: 'Somchai Jaidee' });
  const mine = await as.owner('GET', '/api/controls?owner=me');
  expect(mine.json.items.map((c: { key: string }) => c.key)).toEqual([key]);
  expect((await as.compliance('PUT', `/api/controls/${key}/owner`, { userId: null })).json.ownerUserId).toBeNull();
});

it('the list, read in one query (issue 15), pages each control exactly as the control itself reads, with the total', async () => {
  const ownerMe = await as.owner('GET', '/api/me');
  const assigned = (await as.compliance('GET', '/api/controls?department=privacy&limit=1')).json.items[0].key;
  expect((await as.compliance('PUT', `/api/controls/${assigned}/owner`, { userId: ownerMe.json.id })).status).toBe(200);
  try {
    for (const [persona, query] of [
      ['compliance', ''],
      ['owner', '&framework=pdpa'],
      ['auditor', '&cadence=weekly&q=a'],
    ] as const) {
      const keys: string[] = [];
      let total = -1;
      for (let offset = 0; total < 0 || offset < total; offset += 7) {
        const page = await as[persona]('GET', `/api/controls?limit=7&offset=${offset}${query}`);
        expect(page.status).toBe(200);
        expect(page.json).toMatchObject({ limit: 7, offset });
        if (total >= 0) expect(page.json.total).toBe(total);
        total = page.json.total;
        expect(page.json.items.length).toBe(Math.min(7, total - offset));
        for (const item of page.json.items) {
          keys.push(item.key);
          expect(item).toEqual((await as[persona]('GET', `/api/controls/${item.key}`)).json);
        }
        if (total === 0) break;
      }
      expect(total).toBeGreaterThan(7);
      expect(new Set(keys).size).toBe(total);
      const past = await as[persona]('GET', `/api/controls?limit=7&offset=${total + 3}${query}`);
      expect(past.json).toMatchObject({ items: [], total, offset: total + 3 });
    }
    const listed = (await as.compliance('GET', `/api/controls?department=privacy&limit=1`)).json.items[0];
    expect(listed).toMatchObject({ key: assigned, ownerUserId: ownerMe.json.id, ownerName: 'Somchai Jaidee' });
    expect(listed.requirements.length).toBeGreaterThan(0);
  } finally {
    await as.compliance('PUT', `/api/controls/${assigned}/owner`, { userId: null });
  }
});

describe('exports', () => {
  it('OSCAL catalog: metadata, v4 UUIDs, grouped controls with valid ids', async () => {
    const res = await as.auditor('GET', '/api/frameworks/soc2/export?format=oscal-catalog');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="soc2-oscal-catalog.json"');
    const { catalog } = res.json;
    expect(catalog.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(catalog.metadata).toEqual(
      expect.objectContaining({
        title: expect.any(String),
        'last-modified': expect.stringMatching(/Z$/),
        version: expect.any(String),
        'oscal-version': '1.1.2',
      }),
    );
    const controls = catalog.groups.flatMap(
      (g: { id: string; title: string; controls: { id: string; title: string }[] }) => {
        expect(g.id).toMatch(/^[a-z_][a-z0-9._-]*$/);
        expect(g.title).toEqual(expect.any(String));
        return g.controls;
      },
    );
    expect(controls).toHaveLength(61);
    for (const c of controls) {
      expect(c.id).toMatch(/^[a-z_][a-z0-9._-]*$/);
      expect(c.title.length).toBeGreaterThan(0);
    }
    expect(new Set(controls.map((c: { id: string }) => c.id)).size).toBe(61);
  });

  it('OSCAL component definition: implemented requirements point at catalog control ids', async () => {
    const catalog = (await as.auditor('GET', '/api/frameworks/pdpa/export?format=oscal-catalog')).json.catalog;
    const ids = new Set(catalog.groups.flatMap((g: { controls: { id: string }[] }) => g.controls.map((c) => c.id)));
    const res = await as.auditor('GET', '/api/frameworks/pdpa/export?format=oscal-component');
    const def = res.json['component-definition'];
    expect(def.metadata['oscal-version']).toBe('1.1.2');
    const [component] = def.components;
    expect(component).toEqual(
      expect.objectContaining({
        uuid: expect.any(String),
        type: expect.any(String),
        title: expect.any(String),
        description: expect.any(String),
      }),
    );
    const [impl] = component['control-implementations'];
    expect(impl).toEqual(
      expect.objectContaining({
        uuid: expect.any(String),
        source: expect.any(String),
        description: expect.any(String),
      }),
    );
    expect(impl['implemented-requirements'].length).toBe(26); // every applicable PDPA requirement
    for (const r of impl['implemented-requirements']) {
      expect(ids.has(r['control-id'])).toBe(true);
      expect(r.description).toMatch(/^Satisfied by [A-Z]{2,5}-\d{2}/);
      expect(r.uuid).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('CSV: a header and one row per requirement × control, quoted properly', async () => {
    const res = await as.auditor('GET', '/api/frameworks/iso14971/export?format=csv');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(
      'framework,group,ref,requirement,not_applicable,control,control_title,owner_department,cadence,max_interval_days',
    );
    expect(lines.length).toBeGreaterThan(23);
    // CLS-04 is per release (event cadence, at most 183 days apart), not monthly
    expect(lines.find((l) => l.startsWith('iso14971,') && l.includes(',CLS-04,'))).toMatch(/,clinical,event,183$/);
    expect(lines.slice(1).every((l) => l.startsWith('iso14971,'))).toBe(true);
  });

  it('rejects an unknown format, and records exports in the audit trail', async () => {
    expect((await as.auditor('GET', '/api/frameworks/soc2/export?format=pdf')).json.errors[0].field).toBe('format');
    const trail = await as.compliance('GET', '/api/audit-trail?action=catalog.export');
    expect(trail.json.total).toBeGreaterThanOrEqual(4);
  });
});
