// Quarterly reviews are authorized per register (issue 13): a privacy officer and a clinical control owner
// hold ISO 14971 risks, and could record reviews of the security register (SOC 2 CC3) and read others'
// notes on it, though they cannot read that register (POST /api/risks/reviews {"register":"security"} → 201).
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { postForm } from '../support/forms';

let t: TestApp;
const cookies = {} as Record<'privacy' | 'clinical' | 'compliance', string>;
const as = {} as Record<keyof typeof cookies, ReturnType<typeof client>>;

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  for (const [who, email] of [
    ['privacy', DEMO.privacy],
    ['clinical', DEMO.owner2],
    ['compliance', DEMO.compliance],
  ] as const) {
    cookies[who] = await login(t.baseUrl, email);
    as[who] = client(t.baseUrl, cookies[who]);
  }
});
afterAll(async () => t?.close());

describe('reviews of the security register', () => {
  it('are recorded by compliance managers, and read by them only, not by ISO 14971 risk holders', async () => {
    const recorded = await as.compliance('POST', '/api/risks/reviews', {
      register: 'security',
      notes: 'CC3 review: pen-test findings accepted',
    });
    expect(recorded.status).toBe(201);
    for (const who of ['privacy', 'clinical'] as const) {
      const res = await as[who]('POST', '/api/risks/reviews', { register: 'security', notes: `${who} was here` });
      expect(res.status).toBe(404);
      expect(res.json.code).toBe('risk_register.not_found');
      const list = await as[who]('GET', '/api/risks/reviews?register=security');
      expect(list.json.items).toEqual([]);
    }
    const all = (await as.compliance('GET', '/api/risks/reviews?register=security')).json.items;
    expect(all.map((r: { notes: string }) => r.notes)).toEqual(['CC3 review: pen-test findings accepted']);
  });

  it('the register page offers the review form only where the reader may review, and the form refuses the rest', async () => {
    expect((await as.privacy('GET', '/risks?register=security')).text).not.toContain('id="review-form"');
    expect((await as.privacy('GET', '/risks?register=iso14971')).text).toContain('id="review-form"');
    expect((await as.compliance('GET', '/risks?register=security')).text).toContain('id="review-form"');
    const forged = await postForm(t.baseUrl, cookies.privacy, '/risks/reviews', {
      register: 'security',
      notes: 'from the form',
    });
    expect(forged.status).toBe(404);
  });
});

describe('reviews of the ISO 14971 register', () => {
  it('are still recorded by the people who hold its risks', async () => {
    for (const who of ['privacy', 'clinical'] as const) {
      expect(
        (await as[who]('POST', '/api/risks/reviews', { register: 'iso14971', notes: `${who}: hazards reviewed` }))
          .status,
      ).toBe(201);
    }
    const notes = (await as.privacy('GET', '/api/risks/reviews?register=iso14971')).json.items.map(
      (r: { notes: string }) => r.notes,
    );
    expect(notes).toEqual(expect.arrayContaining(['privacy: hazards reviewed', 'clinical: hazards reviewed']));
  });
});
