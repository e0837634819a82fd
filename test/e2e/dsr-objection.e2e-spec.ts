// Objections (PDPA s. 32 para 2) against the real demo patient platform: the data is separated (the map's
// restriction flag) at once — on arrival for direct marketing, at identity verification otherwise — and the
// statutory clock is the time from receipt to separation, never measured to the request's closing. Checked
// where an auditor reads it: the API, the register and request pages, and an audit pack's DSR section
// (model and PDF text). A rejected objection lifts the flag. (Issue 12.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackCollector } from '../../src/audit-packs/pack-collector.service';
import { renderPackPdf } from '../../src/audit-packs/pdf/render-pack-pdf';
import { dayOf } from '../../src/common/time/days';
import { DsrClockService } from '../../src/dsr/dsr-clocks.service';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { openDemoPlatform, type DemoPatient, type DemoPlatform } from '../support/demo-platform';

const ROOT = join(__dirname, '..', '..');
let t: TestApp;
let demo: DemoPlatform;
let cookie: string;
let as: Record<'privacy' | 'compliance', ReturnType<typeof client>>;

const objection = (p: DemoPatient, ground: string, receivedAt?: Date) => ({
  right: 'objection',
  ground,
  channel: 'email',
  ...(receivedAt ? { receivedAt: receivedAt.toISOString() } : {}),
  subject: { name: p.first_name, email: p.email, phone: p.phone, nationalId: p.national_id },
});
const restricted = async (p: DemoPatient) =>
  (await demo.client.query('SELECT processing_restricted FROM patients WHERE id = $1', [p.id])).rows[0]
    .processing_restricted as boolean;
const page = async (path: string) =>
  (await fetch(t.baseUrl + path, { headers: { cookie, accept: 'text/html' } })).text();

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', DSR_DEMO_PLATFORM: '1' } });
  cookie = await login(t.baseUrl, DEMO.privacy);
  as = { privacy: client(t.baseUrl, cookie), compliance: client(t.baseUrl, await login(t.baseUrl, DEMO.compliance)) };
  demo = await openDemoPlatform(t);
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await t?.close();
});

describe('a direct-marketing objection received at 10:00 and flagged at 10:00:05', () => {
  let id: string;
  let p: DemoPatient;
  const receivedAt = new Date(Date.now() - 5_000); // "10:00"; the flag goes on now, "10:00:05"

  beforeAll(async () => {
    p = await demo.patient(40);
    const created = await as.privacy('POST', '/api/dsr/requests', objection(p, 'direct_marketing', receivedAt));
    expect(created.status).toBe(201);
    id = created.json.id;
  });

  it('is separated on arrival, before identity is verified, and the API says "met" with the elapsed time', async () => {
    const r = (await as.privacy('GET', `/api/dsr/requests/${id}`)).json;
    expect(r).toMatchObject({ status: 'received', ground: 'direct_marketing', verifiedAt: null, lastError: null });
    expect(await restricted(p)).toBe(true);
    const elapsed = new Date(r.separatedAt).getTime() - receivedAt.getTime();
    expect(elapsed).toBeGreaterThanOrEqual(5_000);
    expect(elapsed).toBeLessThan(30_000);
    expect(r.clocks.statutory).toMatchObject({
      state: 'met',
      measure: 'separation',
      elapsedMs: elapsed,
      remainingMs: null,
    });
    expect(r.actions).toEqual([
      expect.objectContaining({ systemKey: 'patient-platform', kind: 'restrict', status: 'done' }),
    ]);
    // Nothing to escalate: the statutory clock is met.
    expect(await t.app.get(DsrClockService).remindClocks()).toBe(0);
  });

  it('stays met when it closes later (never measured to closing)', async () => {
    await as.privacy('POST', `/api/dsr/requests/${id}/verify-identity`, {
      method: 'email_link',
      reference: 'reply from the subscriber address',
    });
    const r = (await as.privacy('GET', `/api/dsr/requests/${id}`)).json;
    expect(r.status).toBe('completed'); // every system separated: nothing left to do
    expect(r.clocks.statutory.state).toBe('met');
    expect(new Date(r.closedAt).getTime()).toBeGreaterThan(new Date(r.separatedAt).getTime());
  });

  it('the register and the request page show "met" on the statutory clock', async () => {
    const register = await page('/dsr?right=objection');
    const row = register.slice(register.indexOf(r(id)));
    expect(row).toMatch(/data-clock="statutory" data-state="met"/);
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/met: separated \d+ s after receipt/);
    const html = await page(`/dsr/${id}`);
    expect(html).toMatch(
      /id="clock-statutory" class="clock clock-met" data-state="met">met: separated \d+ s after receipt/,
    );
    expect(html).toContain('Data separated');
  });

  it('counts as met in the clock statistics and in an audit pack’s DSR section (model and PDF)', async () => {
    const now = new Date();
    const stats = await t.app
      .get(DsrClockService)
      .clockStatistics(new Date(now.getTime() - 86_400_000), new Date(now.getTime() + 60_000), now);
    expect(stats.objections).toMatchObject({ separated: 1, longestSeparationMs: expect.any(Number) });
    expect(stats.missedStatutory).toBe(0);

    const day = dayOf(now);
    const { model } = await t.app
      .get(PackCollector)
      .collect(
        { framework: 'pdpa', from: day, to: day },
        { subject: 'CN=test', fingerprintSha256: 'ab'.repeat(32), selfSigned: true },
      );
    expect(model.dsr).toMatchObject({
      metStatutory: 1,
      missedStatutory: 0,
      objections: { received: 1, separated: 1, notOwed: 0 },
    });
    expect(model.dsr!.objections.longestSeparationMs).toBeLessThan(30_000);

    const dir = mkdtempSync(join(tmpdir(), 'attest-objection-pack-'));
    try {
      writeFileSync(join(dir, 'pack.pdf'), await renderPackPdf(model, { templatesDir: join(ROOT, 'templates') }));
      const text = execFileSync('pdftotext', ['-raw', join(dir, 'pack.pdf'), '-'], { encoding: 'utf8' }).replace(
        /\s+/g,
        ' ',
      );
      expect(text).toContain('Within the statutory deadline 1 met, 0 missed');
      expect(text).toMatch(/Objections \(PDPA s\. 32 para 2\) 1 of 1 separated, the longest \d+\.\d s after receipt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('other grounds, rejection, bad input', () => {
  it('a legitimate-interest objection is separated the moment identity is verified, not before', async () => {
    const p = await demo.patient(41);
    const created = await as.privacy('POST', '/api/dsr/requests', objection(p, 'public_task_or_legitimate_interest'));
    expect(created.json).toMatchObject({
      separatedAt: null,
      clocks: { statutory: { state: 'not_owed', dueAt: null } },
    });
    expect(await restricted(p)).toBe(false);
    // Waiting for identity is not a statutory miss: nothing escalates.
    expect(await t.app.get(DsrClockService).remindClocks(new Date(Date.now() + 3 * 86_400_000))).toBe(0);
    const html = await page(`/dsr/${created.json.id}`);
    expect(html).toContain('Identity not verified yet');
    expect(html).not.toMatch(/<strong>Identity verified<\/strong>/);

    const verified = await as.privacy('POST', `/api/dsr/requests/${created.json.id}/verify-identity`, {
      method: 'id_document',
      reference: 'ID card',
    });
    expect(verified.json).toMatchObject({
      status: 'completed',
      separatedAt: expect.any(String),
      clocks: { statutory: { state: 'met' } },
    });
    expect(await restricted(p)).toBe(true);
  });

  it('rejecting a direct-marketing objection lifts the separation it applied', async () => {
    const p = await demo.patient(42);
    const created = await as.privacy('POST', '/api/dsr/requests', objection(p, 'direct_marketing'));
    expect(await restricted(p)).toBe(true);
    const rejected = await as.privacy('POST', `/api/dsr/requests/${created.json.id}/reject`, {
      reason: 'Not the subscriber: the e-mail bounced',
    });
    expect(rejected.json).toMatchObject({ status: 'rejected', lastError: null });
    expect(rejected.json.actions.map((a: { kind: string; status: string }) => `${a.kind}:${a.status}`).sort()).toEqual([
      'restrict:done',
      'unrestrict:done',
    ]);
    expect(await restricted(p)).toBe(false);
    const trail = await as.privacy('GET', `/api/dsr/requests/${created.json.id}`);
    expect(trail.json.clocks.statutory.state).toBe('met'); // it was separated at once; the rejection does not undo that fact
  });

  it('an objection or erasure without a valid ground is a 400 naming the field; other rights take none', async () => {
    const p = await demo.patient(43);
    const none = await as.privacy('POST', '/api/dsr/requests', { ...objection(p, 'x'), ground: undefined });
    expect([none.status, none.json.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['ground']]);
    const wrong = await as.privacy('POST', '/api/dsr/requests', { ...objection(p, 'unlawful_processing') });
    expect([wrong.status, wrong.json.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['ground']]);
    const access = await as.privacy('POST', '/api/dsr/requests', {
      ...objection(p, 'direct_marketing'),
      right: 'access',
    });
    expect([access.status, access.json.errors.map((e: { field: string }) => e.field)]).toEqual([400, ['ground']]);
  });
});

function r(id: string): string {
  return `href="/dsr/${id}"`;
}
