// TZ_COMPLIANCE: one zone for the whole app. With Europe/London (and the process in UTC), an evidence day
// starts at London midnight (BST in summer), an engagement's last day ends at London midnight, and pages
// name the zone.
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';

let t: TestApp;
let as: ReturnType<typeof client>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', TZ_COMPLIANCE: 'Europe/London' } });
  as = client(t.baseUrl, await login(t.baseUrl, DEMO.compliance));
});
afterAll(async () => {
  await t?.close();
});

describe('TZ_COMPLIANCE=Europe/London', () => {
  it.each([
    ['2026-07-01', '2026-06-30T23:00:00.000Z'], // BST
    ['2026-11-20', '2026-11-20T00:00:00.000Z'], // GMT
  ])('evidence dated %s is taken as London midnight (%s)', async (day, instant) => {
    const res = await as('POST', '/api/evidence', {
      kind: 'link',
      title: `Change board minutes ${day}`,
      url: 'https://wiki.example.com/cab',
      controls: ['ENG-05'],
      evidenceDate: day,
      periodStart: day,
      periodEnd: day,
    });
    expect(res.status).toBe(201);
    expect(res.json.evidenceDate).toBe(instant);
  });

  it("pages show times in the zone and name it (never ICT, the default's label)", async () => {
    const res = await fetch(`${t.baseUrl}/admin/users`, {
      headers: { cookie: await login(t.baseUrl, DEMO.admin), accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Europe/London');
    expect(html).not.toMatch(/\d ICT\b/);
  });
});
