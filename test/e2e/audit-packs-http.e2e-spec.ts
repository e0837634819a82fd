// Audit packs over real HTTP on the real catalog (DEMO=1 syncs it): a SOC 2 pack for a month with evidence
// uploaded, built synchronously (JOBS_ENABLED=false: PackBuilder.buildNow), progress to 100/done, the ZIP
// downloaded and unzipped (every hash against manifest.json), `pdfsig` ("Signature is Valid" and "Total
// document signed"), `openssl cms -verify` of manifest.json.sig, `pdftotext` holding every SOC 2 requirement
// ref; one flipped byte of an evidence file in the ZIP makes the built `attest pack verify` exit 1 naming
// it; joining a scope while it builds; downloads in the audit trail; bad input → 400 naming the field; a
// build presumed dead is taken over; evidence bytes that no longer match their hash fail the build and
// leave no pack files behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { ZipFile } from 'yazl';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { PacksService } from '../../src/audit-packs/packs.service';
import { verifyPack } from '../../src/audit-packs/pack-verifier';
import { PackSigner } from '../../src/audit-packs/signing/pack-signer';
import { dayOf } from '../../src/common/time/days';
import { unzip } from '../support/zip';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { runCliAsync } from '../support/processes';

const FROM = '2026-11-01';
const TO = '2026-11-30';

let t: TestApp;
let db: Client;
let work: string;
let packs: PacksService;
let builder: PackBuilder;
const as: Record<string, string> = {};
let api: (who: string | null) => ReturnType<typeof client>;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pdfBytes = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(3000)]);
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

async function upload(who: string, fields: Record<string, string>, files: { bytes: Buffer; name: string }[]) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('file', new Blob([f.bytes]), f.name);
  const res = await fetch(`${t.baseUrl}/api/evidence`, { method: 'POST', headers: { cookie: who }, body: form });
  const json = await res.json();
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function fetchBytes(who: string, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(t.baseUrl + path, { headers: { cookie: who } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Writes a ZIP of `files` (in order) with yazl: how a tamperer would rewrite a pack. */
async function rezip(files: Map<string, Buffer>, path: string): Promise<void> {
  const z = new ZipFile();
  for (const [name, bytes] of files) z.addBuffer(bytes, name);
  z.end();
  await pipeline(z.outputStream as unknown as Readable, createWriteStream(path));
}

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', ORGANISATION_NAME: 'Acme Health Co., Ltd.' } });
  api = (who) => client(t.baseUrl, who);
  for (const [k, email] of Object.entries(DEMO)) as[k] = await login(t.baseUrl, email);
  db = new Client({ connectionString: t.db.url });
  await db.connect();
  packs = t.app.get(PacksService);
  builder = t.app.get(PackBuilder);
  work = mkdtempSync(join(tmpdir(), 'attest-packs-test-'));
});
afterAll(async () => {
  await db?.end();
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a SOC 2 pack for November 2026', () => {
  const report = pdfBytes(200_000);
  const screenshot = png();
  let id: string;
  let zip: Buffer;
  let entries: Map<string, Buffer>;
  let zipPath: string;

  it('evidence dated in the period is uploaded (and one dated after it)', async () => {
    await upload(
      as.compliance,
      {
        title: 'Access review November',
        controls: 'ACC-01',
        evidenceDate: '2026-11-20',
        periodStart: FROM,
        periodEnd: TO,
      },
      [
        { bytes: report, name: 'รายงาน access review "final".pdf' },
        { bytes: screenshot, name: '../../screenshot.png' },
      ],
    );
    await upload(
      as.compliance,
      {
        title: 'Outside the period',
        controls: 'ACC-01',
        evidenceDate: '2026-12-01',
        periodStart: '2026-12-01',
        periodEnd: '2026-12-31',
      },
      [{ bytes: pdfBytes(5000), name: 'december.pdf' }],
    );
  });

  it('POST /api/packs queues it (202 { id }); asking again for the scope joins it', async () => {
    const first = await api(as.compliance)('POST', '/api/packs', { framework: 'soc2', from: FROM, to: TO });
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ id: expect.any(String), joined: false });
    id = first.json.id;
    const again = await api(as.admin)('POST', '/api/packs', { framework: 'soc2', from: FROM, to: TO });
    expect(again.json).toEqual({ id, joined: true });
    const view = await api(as.compliance)('GET', `/api/packs/${id}`);
    expect(view.json).toMatchObject({
      id,
      framework: 'soc2',
      from: FROM,
      to: TO,
      status: 'queued',
      progress: 0,
      zip: null,
      pdf: null,
    });
    expect((await api(as.compliance)('GET', `/api/packs/${id}/download`)).status).toBe(409);
  });

  it('builds with progress through the stages to 100/done; a request while it builds joins it', async () => {
    const seen: string[] = [];
    let joinedWhileBuilding: Promise<{ json: any }> | null = null;
    const row = await builder.buildNow(id, (p) => {
      if (!seen.includes(p.stage)) seen.push(p.stage);
      joinedWhileBuilding ??= api(as.compliance)('POST', '/api/packs', { framework: 'soc2', from: FROM, to: TO });
    });
    expect(row).toMatchObject({ status: 'done', progress: 100, stage: 'done', error: null });
    expect(seen).toEqual(['collecting', 'rendering', 'signing', 'zipping', 'done']);
    expect((await joinedWhileBuilding!).json).toEqual({ id, joined: true });
    const view = (await api(as.compliance)('GET', `/api/packs/${id}`)).json;
    expect(view).toMatchObject({
      status: 'done',
      progress: 100,
      stage: 'done',
      signerFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(view.zip).toEqual({
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      bytes: expect.any(Number),
      download: `/api/packs/${id}/download`,
    });
    // The certificate the API (and the audit pages) show is the one that signed the pack.
    const cert = (await api(as.compliance)('GET', '/api/packs/certificate')).json;
    expect(cert).toMatchObject({
      fingerprintSha256: view.signerFingerprint,
      selfSigned: true,
      pem: expect.stringContaining('BEGIN CERTIFICATE'),
    });
    // Once done, the scope is free: a new request makes a new pack.
    const next = await api(as.compliance)('POST', '/api/packs', { framework: 'soc2', from: FROM, to: TO });
    expect(next.json.joined).toBe(false);
    expect(next.json.id).not.toBe(id);
  });

  it('GET /api/packs lists packs newest first', async () => {
    const list = await api(as.compliance)('GET', '/api/packs?framework=soc2&status=done');
    expect(list.status).toBe(200);
    expect(list.json.items.map((p: any) => p.id)).toContain(id);
  });

  it('downloads the ZIP (streamed, its SHA-256 as stated); every file matches manifest.json', async () => {
    const view = (await api(as.compliance)('GET', `/api/packs/${id}`)).json;
    const res = await fetchBytes(as.compliance, `/api/packs/${id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    zip = res.bytes;
    expect(sha256(zip)).toBe(view.zip.sha256);
    zipPath = join(work, 'pack.zip');
    writeFileSync(zipPath, zip);
    entries = await unzip(zip);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString());
    expect(manifest).toMatchObject({
      format: 'attest-audit-pack/1',
      scope: { framework: 'soc2', from: FROM, to: TO },
      generator: { name: 'Attest' },
      signer: { fingerprintSha256: view.signerFingerprint },
    });
    for (const f of manifest.files) {
      expect(entries.has(f.path)).toBe(true);
      expect({ path: f.path, sha256: sha256(entries.get(f.path)!), size: entries.get(f.path)!.length }).toEqual({
        path: f.path,
        sha256: f.sha256,
        size: f.size,
      });
    }
    expect([...entries.keys()].sort()).toEqual(
      [...manifest.files.map((f: any) => f.path), 'audit-pack.pdf', 'manifest.json', 'manifest.json.sig'].sort(),
    );
    // The evidence of the period, under its control, named by hash and a cleaned name; nothing from December.
    expect(entries.get(`evidence/ACC-01/${sha256(report)}-รายงาน_access_review_final_.pdf`)).toEqual(report);
    expect(entries.get(`evidence/ACC-01/${sha256(screenshot)}-screenshot.png`)).toEqual(screenshot);
    expect([...entries.keys()].filter((k) => k.includes('december'))).toEqual([]);
    expect(entries.get('certificate.pem')!.toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('stores the ZIP and the PDF in the blob store, where every instance reads them: no files or host paths left behind', async () => {
    const view = (await api(as.compliance)('GET', `/api/packs/${id}`)).json;
    const blobs = await db.query(
      `SELECT sha256, size::int AS size, media_type, store FROM blobs WHERE sha256 = ANY($1::text[]) ORDER BY media_type`,
      [[view.zip.sha256, view.pdf.sha256]],
    );
    expect(blobs.rows).toEqual([
      { sha256: view.pdf.sha256, size: view.pdf.bytes, media_type: 'application/pdf', store: 'postgres' },
      { sha256: view.zip.sha256, size: view.zip.bytes, media_type: 'application/zip', store: 'postgres' },
    ]);
    const chunks = await db.query(
      `SELECT count(*)::int AS n, sum(length(data))::int AS bytes FROM blob_chunks WHERE sha256 = $1`,
      [view.zip.sha256],
    );
    expect(chunks.rows[0]).toEqual({ n: Math.ceil(view.zip.bytes / (1024 * 1024)), bytes: view.zip.bytes });
    expect(existsSync(join(builder.packsDir, id))).toBe(false);
    const columns = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_packs' AND column_name LIKE '%path%'`,
    );
    expect(columns.rows).toEqual([]);
  });

  it('the PDF is signed over the whole document (pdfsig) and holds every SOC 2 requirement ref (pdftotext)', async () => {
    if (!have('pdfsig') || !have('pdftotext'))
      throw new Error('poppler-utils (pdfsig, pdftotext) is required for this test');
    const res = await fetchBytes(as.compliance, `/api/packs/${id}/pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.bytes).toEqual(entries.get('audit-pack.pdf'));
    const file = join(work, 'pack.pdf');
    writeFileSync(file, res.bytes);
    const sig = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(sig.stdout).toContain('Signature is Valid');
    expect(sig.stdout).toContain('Total document signed');
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const refs: string[] = (
      await api(as.compliance)('GET', '/api/frameworks/soc2/requirements?limit=200')
    ).json.items.map((r: any) => r.ref);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((ref) => !text.includes(ref))).toEqual([]);
    expect(text).toContain(sha256(report));
    expect(text).toContain('No incidents: the company became aware of no incident in the period.');
    expect(text).toContain('No releases: no release was built in the period.');
    // Bytes appended after signing: still a valid signature, no longer the total document.
    writeFileSync(join(work, 'appended.pdf'), Buffer.concat([res.bytes, Buffer.from('\n% appended\n')]));
    const appended = spawnSync('pdfsig', [join(work, 'appended.pdf')], { encoding: 'utf8' }).stdout;
    expect(appended).toContain('Signature is Valid');
    expect(appended).not.toContain('Total document signed');
  });

  it('manifest.json.sig verifies with openssl cms against certificate.pem', () => {
    for (const name of ['manifest.json', 'manifest.json.sig', 'certificate.pem'])
      writeFileSync(join(work, name), entries.get(name)!);
    const r = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        join(work, 'manifest.json.sig'),
        '-content',
        join(work, 'manifest.json'),
        '-CAfile',
        join(work, 'certificate.pem'),
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toContain('Verification successful');
    expect(r.status).toBe(0);
  });

  it('GET /api/packs/:id/verify and `attest pack verify` say ok for the intact pack', async () => {
    expect((await api(as.compliance)('GET', `/api/packs/${id}/verify`)).json).toEqual({
      ok: true,
      problems: [],
      firstProblem: null,
    });
    const r = await runCliAsync(['pack', 'verify', zipPath], { ...process.env });
    expect(r.stdout.trim()).toBe('ok');
    expect(r.status).toBe(0);
  });

  it('one flipped byte of an evidence file makes `attest pack verify` exit 1 naming that file', async () => {
    const name = `evidence/ACC-01/${sha256(screenshot)}-screenshot.png`;
    const tampered = new Map(entries);
    const bytes = Buffer.from(entries.get(name)!);
    bytes[100] ^= 0x01;
    tampered.set(name, bytes);
    const path = join(work, 'tampered.zip');
    await rezip(tampered, path);
    const r = await runCliAsync(['pack', 'verify', path], { ...process.env });
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      `FAILED: ${name}: SHA-256 ${sha256(bytes)} does not match the manifest (${sha256(screenshot)})`,
    );
  });

  it('names the first bad signature: an edited manifest, a PDF with bytes appended, an extra file', async () => {
    const edited = new Map(entries);
    edited.set('manifest.json', Buffer.from(entries.get('manifest.json')!.toString().replace('"soc2"', '"pdpa"')));
    await rezip(edited, join(work, 'm.zip'));
    expect((await verifyPack(join(work, 'm.zip'))).firstProblem).toMatch(
      /^manifest\.json\.sig: signature of manifest\.json is not valid/,
    );

    const appended = new Map(entries);
    appended.set('audit-pack.pdf', Buffer.concat([entries.get('audit-pack.pdf')!, Buffer.from('\n% more\n')]));
    await rezip(appended, join(work, 'p.zip'));
    expect((await verifyPack(join(work, 'p.zip'))).firstProblem).toBe(
      'audit-pack.pdf: signature does not cover the whole document (bytes were added after signing)',
    );

    // A manifest re-signed by the signer's own key but not the one the signed PDF embeds.
    const resigned = new Map(entries);
    const other = Buffer.from(`${entries.get('manifest.json')!.toString()}\n`);
    resigned.set('manifest.json', other);
    resigned.set('manifest.json.sig', await t.app.get(PackSigner).signDetached(other));
    await rezip(resigned, join(work, 'r.zip'));
    expect((await verifyPack(join(work, 'r.zip'))).problems).toEqual([
      'audit-pack.pdf: the manifest embedded in the PDF differs from manifest.json',
    ]);

    const extra = new Map(entries);
    extra.set('evidence/ACC-01/extra.txt', Buffer.from('slipped in'));
    await rezip(extra, join(work, 'x.zip'));
    expect((await verifyPack(join(work, 'x.zip'))).problems).toEqual([
      'evidence/ACC-01/extra.txt: in the ZIP but not in manifest.json',
    ]);

    const missing = new Map(entries);
    missing.delete('certificate.pem');
    await rezip(missing, join(work, 'c.zip'));
    expect((await verifyPack(join(work, 'c.zip'))).firstProblem).toBe('certificate.pem: missing from the ZIP');
  });

  it('`attest pack build` builds synchronously, prints progress to stderr and writes a ZIP that verifies', async () => {
    const out = join(work, 'cli-pack.zip');
    const env = { ...process.env, DATABASE_URL: t.db.url, DATA_DIR: t.config.dataDir, LOG_LEVEL: 'warn' };
    const r = await runCliAsync(
      ['pack', 'build', '--framework', 'soc2', '--from', FROM, '--to', TO, '--out', out],
      env,
    );
    expect(r.stderr).toMatch(/100% done/);
    expect(r.stderr).toMatch(/zipping/);
    expect(r.stdout).toMatch(
      new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ bytes, SHA-256 [0-9a-f]{64}`),
    );
    expect(r.status).toBe(0);
    expect(await verifyPack(out)).toEqual({ ok: true, problems: [], firstProblem: null });
    const bad = await runCliAsync(
      ['pack', 'build', '--framework', 'soc2', '--from', TO, '--to', FROM, '--out', out],
      env,
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('to: must not be before from');
  });

  it('every download is in the audit trail (and so is the request and the build)', async () => {
    const trail = await api(as.compliance)('GET', `/api/audit-trail?subjectId=${id}&limit=50`);
    const actions = trail.json.items.map((e: any) => `${e.action} ${e.data.format ?? ''}`.trim());
    expect(actions.filter((a: string) => a.startsWith('pack.downloaded'))).toEqual(
      expect.arrayContaining(['pack.downloaded zip', 'pack.downloaded pdf']),
    );
    expect(actions).toEqual(expect.arrayContaining(['pack.request', 'pack.build']));
  });
});

describe('a SOC 2 pack with incidents (issue 16)', () => {
  const HOUR = 3_600_000;
  const ago = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
  // A period still running: the section speaks of the moment the pack is built.
  const from = dayOf(new Date(Date.now() - 6 * 24 * HOUR));
  const to = dayOf(new Date(Date.now() + 2 * 24 * HOUR));
  const LATE = 'The processor told us only on day 3.';
  const breach = (extra: Record<string, unknown>) => ({
    title: 'Lab results e-mailed to the wrong patient',
    description: 'A batch job sent result letters to old addresses of Somchai Jaidee.',
    severity: 'SEV2',
    categories: ['personal_data_breach'],
    ...extra,
  });
  const assessment = {
    types: ['confidentiality'],
    dataCategories: ['lab results'],
    sensitive: true,
    subjectsApprox: 40,
    recordsApprox: 40,
    factors: Object.fromEntries(
      ['nature', 'dataTypeAndVolume', 'subjectVulnerability', 'consequenceSeverity', 'widerEffects', 'safeguards'].map(
        (k) => [k, { level: 'high', note: null }],
      ),
    ),
    likelyConsequences: 'Disclosure of health data.',
    measuresTaken: 'Job stopped.',
    decision: 'high_risk',
    reasons: 'Health data reached third parties.',
  };
  let text: string;
  let pdfPath: string;
  /** A table's rows: pdftotext wraps cells onto lines of their own, so a row runs from one ref to the next. */
  const tableRows = (from: string, until: string) => {
    const flat = text.replace(/\s+/g, ' ');
    return flat
      .slice(flat.indexOf(from), flat.indexOf(until))
      .split(/(?=INC-\d{4} )/)
      .slice(1)
      .map((r) => r.trim());
  };
  const incidentRows = () => tableRows('Incidents aware in the period', 'Clocks Ref Kind');
  const clockRows = () => tableRows('Clocks Ref Kind', 'Corrective and preventive actions');
  const refs: Record<string, string> = {};
  let beforeId: string;

  beforeAll(async () => {
    const privacy = api(as.privacy);
    const compliance = api(as.compliance);
    const created = async (r: { status: number; json: any }) => {
      if (r.status >= 300) throw new Error(`${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    // Notified at 71 h: met.
    const inTime = await created(
      await privacy('POST', '/api/incidents', breach({ detectedAt: ago(80), awareAt: ago(75) })),
    );
    refs.inTime = inTime.ref;
    await created(await privacy('POST', `/api/incidents/${inTime.id}/breach-assessment`, assessment));
    await created(
      await privacy('POST', `/api/incidents/${inTime.id}/notifications`, {
        kind: 'pdpc_office',
        sentAt: ago(4),
        channel: 'PDPC e-service',
      }),
    );
    // Notified at 80 h with its reason: missed.
    const late = await created(
      await privacy(
        'POST',
        '/api/incidents',
        breach({ title: 'Backup bucket left public', detectedAt: ago(100), awareAt: ago(100) }),
      ),
    );
    refs.late = late.ref;
    await created(
      await privacy('POST', `/api/incidents/${late.id}/notifications`, {
        kind: 'pdpc_office',
        sentAt: ago(20),
        channel: 'PDPC e-service',
        lateReason: LATE,
      }),
    );
    // A SEV1 acknowledged at once, reviewed, its CAPA accepted, closed. One instant for both times: two
    // calls to ago() a millisecond apart made awareAt precede detectedAt, which the API rightly refuses.
    const sev1At = ago(2);
    const ownerId = (await api(as.owner)('GET', '/api/me')).json.id;
    const sev1 = await created(
      await compliance('POST', '/api/incidents', {
        title: 'Login outage for all clinics',
        description: 'SSO certificate expired.',
        severity: 'SEV1',
        categories: ['availability', 'security'],
        awareAt: sev1At,
        detectedAt: sev1At,
      }),
    );
    refs.sev1 = sev1.ref;
    await created(await compliance('PATCH', `/api/incidents/${sev1.id}`, { status: 'contain' }));
    const capa = await created(
      await compliance('POST', `/api/incidents/${sev1.id}/capas`, {
        title: 'Certificate expiry alerting',
        ownerUserId: ownerId,
        dueOn: to,
      }),
    );
    await created(
      await api(as.owner)('PATCH', `/api/incidents/${sev1.id}/capas/${capa.capas[0].id}`, {
        status: 'accepted',
        note: 'Covered by the platform rewrite',
      }),
    );
    await created(
      await compliance('POST', `/api/incidents/${sev1.id}/review`, {
        cause: 'Expired certificate',
        wentWell: 'Fast rollback',
        toChange: 'Alert on expiry',
      }),
    );
    await created(await compliance('PATCH', `/api/incidents/${sev1.id}`, { status: 'closed' }));
    // Aware before the period: not in the pack.
    const before = await created(
      await privacy(
        'POST',
        '/api/incidents',
        breach({ title: 'Old fax misdial', detectedAt: ago(24 * 9), awareAt: ago(24 * 9) }),
      ),
    );
    refs.before = before.ref;
    beforeId = before.id;

    const requested = await api(as.compliance)('POST', '/api/packs', { framework: 'soc2', from, to });
    expect(requested.status).toBe(202);
    expect(await builder.buildNow(requested.json.id)).toMatchObject({ status: 'done' });
    const entries = await unzip((await fetchBytes(as.compliance, `/api/packs/${requested.json.id}/download`)).bytes);
    pdfPath = join(work, 'incidents-pack.pdf');
    writeFileSync(pdfPath, entries.get('audit-pack.pdf')!);
    writeFileSync(
      join(work, 'incidents-pack.zip'),
      (await fetchBytes(as.compliance, `/api/packs/${requested.json.id}/download`)).bytes,
    );
    const raw = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', pdfPath, '-'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    // The incidents section ends where the policy index begins (the releases and key registers name people).
    text = raw.slice(raw.lastIndexOf('Incidents the company became aware of'), raw.lastIndexOf('Policy index'));
  });

  it('shows the section: the counts, the 71 h notice met, the 80 h one missed with its reason, the SEV1 closed', () => {
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('the moment this pack was built');
    expect(flat).toContain('Incidents 3 ');
    expect(flat).toContain('By peak severity SEV2 2 · SEV1 1');
    expect(flat).toContain('By category personal-data breach 2 · availability 1 · security 1');
    expect(flat).not.toMatch(/personal_data_breach|privacy_officer|compliance_manager/);
    expect(flat).toContain('PDPC Office breach notices 1 of 2 in time (1 late, 0 overdue); 0 still running');
    expect(flat).toContain('Corrective actions (CAPA) 0 open (0 overdue), 0 done, 1 accepted');
    expect(flat).toContain(LATE);
    for (const ref of [refs.inTime, refs.late, refs.sev1]) expect(flat).toContain(ref);
    expect(flat).not.toContain(refs.before);
    const row = (ref: string, clock: string) => clockRows().find((r) => r.startsWith(`${ref} `) && r.includes(clock));
    expect(row(refs.inTime, 'Breach notified to the PDPC Office')).toMatch(/ met — ?$/);
    expect(row(refs.late, 'Breach notified to the PDPC Office')).toContain(`missed ${LATE}`);
    expect(row(refs.sev1, 'Acknowledged')).toMatch(/ met — ?$/);
    expect(incidentRows().find((r) => r.startsWith(`${refs.sev1} `))).toMatch(/Login outage .*SEV1 .* closed /);
    // No person: neither the reporters nor a name from the description.
    expect(flat).not.toMatch(/Somchai|@demo\.local/);
  });

  it('every count in the section is the tally of its table rows', () => {
    const tally = (kind: string, state: string) =>
      clockRows().filter((r) => r.includes(` ${kind} `) && new RegExp(` ${state} `).test(`${r} `)).length;
    const flat = text.replace(/\s+/g, ' ');
    const line = (label: string) =>
      new RegExp(`${label} (\\d+) of (\\d+) in time \\((\\d+) late, (\\d+) overdue\\); (\\d+) still running`).exec(
        flat,
      );
    for (const [label, kind] of [
      ['Severity SLAs', 'SLA'],
      ['PDPC Office breach notices', 'PDPC Office'],
      ['Data subjects told \\(high risk\\)', 'Subjects'],
    ]) {
      const m = line(label);
      expect(m).not.toBeNull();
      const [met, decided, missed, overdue, running] = m!.slice(1).map(Number);
      expect([met, missed, overdue, running]).toEqual([
        tally(kind, 'met'),
        tally(kind, 'missed'),
        tally(kind, 'overdue'),
        tally(kind, 'running'),
      ]);
      expect(decided).toBe(met + missed + overdue);
    }
    // By peak severity: a tally of the incident table's rows (ref, title, peak severity, …).
    expect(incidentRows()).toHaveLength(Number(/Incidents (\d+) /.exec(flat)![1]));
    const bySeverity = /By peak severity ([^]*?) By category/.exec(flat)![1];
    for (const [, sev, n] of bySeverity.matchAll(/(SEV\d) (\d+)/g))
      expect(incidentRows().filter((r) => r.includes(` ${sev} `)).length).toBe(Number(n));
  });

  it('a pack for a period that ended before an incident closed shows it at its stage then, no closed-at', async () => {
    const compliance = api(as.compliance);
    const ok = async (r: { status: number; json: any }) => {
      if (r.status >= 300) throw new Error(`${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    await ok(await compliance('PATCH', `/api/incidents/${beforeId}`, { status: 'contain' }));
    await ok(
      await compliance('POST', `/api/incidents/${beforeId}/review`, {
        cause: 'Speed-dial entry out of date',
        wentWell: 'Caught the same day',
        toChange: 'Review speed-dial entries yearly',
      }),
    );
    await ok(await compliance('PATCH', `/api/incidents/${beforeId}`, { status: 'closed' }));
    // The period [12 days ago, 8 days ago] holds its awareness (9 days ago) and ended before it closed (now).
    const past = await compliance('POST', '/api/packs', {
      framework: 'soc2',
      from: dayOf(new Date(Date.now() - 12 * 24 * HOUR)),
      to: dayOf(new Date(Date.now() - 8 * 24 * HOUR)),
    });
    expect(past.status).toBe(202);
    expect(await builder.buildNow(past.json.id)).toMatchObject({ status: 'done' });
    const entries = await unzip((await fetchBytes(as.compliance, `/api/packs/${past.json.id}/download`)).bytes);
    const pastPdf = join(work, 'incidents-past-pack.pdf');
    writeFileSync(pastPdf, entries.get('audit-pack.pdf')!);
    const raw = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', pastPdf, '-'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const flat = raw
      .slice(raw.lastIndexOf('Incidents the company became aware of'), raw.lastIndexOf('Audit trail'))
      .replace(/\s+/g, ' ');
    expect(flat).toContain("stated as of the period's end");
    const row = flat.split(/(?=INC-\d{4} )/).find((r) => r.startsWith(`${refs.before} Old fax misdial`));
    // Contained, reviewed and closed only now: at the period's end it was still in detection.
    expect(row).toMatch(/ SEV2 personal-data breach privacy officer detect \S+ \S+ ICT — /);
    expect(row).not.toContain('closed');
  });

  it('pdfsig still says the signature is valid over the whole document, and `attest pack verify` says ok', async () => {
    const sig = spawnSync('pdfsig', [pdfPath], { encoding: 'utf8' });
    expect(sig.stdout).toContain('Signature is Valid');
    expect(sig.stdout).toContain('Total document signed');
    const r = await runCliAsync(['pack', 'verify', join(work, 'incidents-pack.zip')], { ...process.env });
    expect(r.stdout.trim()).toBe('ok');
    expect(r.status).toBe(0);
  });
});

describe('requests', () => {
  it.each([
    [{ framework: 'soc2', from: '2026-13-01', to: '2026-11-30' }, ['from']],
    [{ framework: 'soc2', from: '2026-11-30', to: '2026-11-01' }, ['to']],
    [{ framework: 'no-such', from: '2026-11-01', to: '2026-11-30' }, ['framework']],
    [{ framework: 'soc2', from: '1 Nov 2026', to: '2026-11-30' }, ['from']],
    [{ framework: 'soc2', to: '2026-11-30' }, ['from']],
  ])('%j → 400 problem+json naming %j', async (body, fields) => {
    const res = await api(as.compliance)('POST', '/api/packs', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect([...new Set(res.json.errors.map((e: any) => e.field))]).toEqual(fields);
  });

  it('ten requests for one scope at once agree on one pack (the partial unique index decides)', async () => {
    const body = { framework: 'iso14971', from: '2026-08-01', to: '2026-08-31' };
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api(i % 2 ? as.compliance : as.admin)('POST', '/api/packs', body)),
    );
    expect(new Set(all.map((r) => r.json.id)).size).toBe(1);
    expect(all.filter((r) => r.json.joined === false)).toHaveLength(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM audit_packs WHERE framework = 'iso14971'`)).rows[0].n).toBe(
      1,
    );
  });

  it('an unknown pack is 404; a control owner may not request or read packs (403)', async () => {
    expect((await api(as.compliance)('GET', `/api/packs/${randomUUID()}`)).status).toBe(404);
    expect((await api(as.owner)('POST', '/api/packs', { framework: 'soc2', from: FROM, to: TO })).status).toBe(403);
    expect((await api(as.owner)('GET', '/api/packs')).status).toBe(403);
  });
});

describe('builds that die or fail', () => {
  it('a building pack with a live heartbeat is left alone; once its heartbeat is stale the next run takes it over', async () => {
    const { id } = await packs.request(
      { kind: 'system', name: 'test' },
      { framework: 'pdpa', from: '2026-10-01', to: '2026-10-31' },
    );
    await db.query(
      `UPDATE audit_packs SET status = 'building', build_token = $2, attempts = 1, heartbeat_at = now(), stage = 'zipping', progress = 50 WHERE id = $1`,
      [id, randomUUID()],
    );
    expect(await builder.buildNow(id)).toMatchObject({ status: 'building', progress: 50 });
    await db.query(`UPDATE audit_packs SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1`, [id]);
    expect(await builder.buildNow(id)).toMatchObject({ status: 'done', progress: 100, attempts: 2 });
  });

  it('evidence bytes that no longer match their hash fail the build, naming the file, and leave no pack files', async () => {
    const bytes = pdfBytes(50_000);
    await upload(
      as.compliance,
      {
        title: 'To be damaged',
        controls: 'ACC-01',
        evidenceDate: '2026-09-10',
        periodStart: '2026-09-01',
        periodEnd: '2026-09-30',
      },
      [{ bytes, name: 'damaged.pdf' }],
    );
    await db.query(`ALTER TABLE blob_chunks DISABLE TRIGGER USER`);
    await db.query(
      `UPDATE blob_chunks SET data = set_byte(data, 19, get_byte(data, 19) # 255) WHERE sha256 = $1 AND n = 0`,
      [sha256(bytes)],
    );
    await db.query(`ALTER TABLE blob_chunks ENABLE TRIGGER USER`);
    const { id } = await packs.request(
      { kind: 'system', name: 'test' },
      { framework: 'soc2', from: '2026-09-01', to: '2026-09-30' },
    );
    const row = await builder.buildNow(id);
    expect(row).toMatchObject({ status: 'failed', stage: 'zipping', zipSha256: null });
    expect(row!.error).toContain(`evidence/ACC-01/${sha256(bytes)}-damaged.pdf`);
    const dir = join(builder.packsDir, id);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await api(as.compliance)('GET', `/api/packs/${id}/download`)).status).toBe(409);
    // The scope is free again: asking anew makes a new pack.
    expect(
      (await api(as.compliance)('POST', '/api/packs', { framework: 'soc2', from: '2026-09-01', to: '2026-09-30' })).json
        .joined,
    ).toBe(false);
  });
});
