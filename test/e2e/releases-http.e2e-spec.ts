// A release driven as CI drives it (issue 18): a script with an engineering user's API token creates the
// release over real HTTP and attaches its files (JUnit, CycloneDX, gitleaks, npm audit, OSV, change log);
// the gates are computed from controls/release-gates.yaml; QA, the safety reviewer and the clinical lead
// sign with their passwords (the clinical lead signing the ISO 14971 clause 9 risk management report);
// the decision flips to approved, and back when the release changes after signing. Bad files are refused
// naming the field and store nothing; `attest release check` answers the deploy step on both paths.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { runCliAsync } from '../support/processes';

type Who = 'admin' | 'compliance' | 'owner' | 'owner2' | 'quality' | 'privacy' | 'auditor' | 'viewer';
let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let ci: ReturnType<typeof client>;
let token: string;
let dir: string;

const FIXTURES = join(__dirname, '..', 'fixtures', 'releases');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const PRODUCT = 'patient-platform';
const VERSION = '2.0.0';
const COMMIT = '3f2c9a1d0b7e44aa';
const base = `/api/releases/${PRODUCT}/${VERSION}`;
const CLEAN_NPM_AUDIT = Buffer.from(
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: {},
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 },
      dependencies: { prod: 1, dev: 0, optional: 0, peer: 0, peerOptional: 0, total: 1 },
    },
  }),
);

function expectProblem(res: { status: number; headers: Headers; json: any }, status: number, code?: string) {
  expect([res.status, res.headers.get('content-type')?.split(';')[0]]).toEqual([status, 'application/problem+json']);
  if (code) expect(res.json.code).toBe(code);
}

/** What CI sends: the file as multipart part `file`, with the API token. */
async function attach(kind: string, bytes: Buffer, filename: string, path = base) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${t.baseUrl}${path}/attachments/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

const missingGates = async () => (await ci('GET', `${base}/decision`)).json.missing.map((m: any) => m.gate).sort();

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1' } });
  dir = mkdtempSync(join(tmpdir(), 'attest-releases-'));
  as = {} as typeof as;
  for (const who of ['admin', 'compliance', 'owner', 'owner2', 'quality', 'privacy', 'auditor', 'viewer'] as const)
    as[who] = client(t.baseUrl, await login(t.baseUrl, DEMO[who]));
  token = (await as.owner('POST', '/api/tokens', { name: 'ci', expiresInDays: 30 })).json.token;
  ci = client(t.baseUrl, token);
  // An ISO 14971 risk of the product with a Thai title: the clause 9 report must list it.
  const risk = await as.compliance('POST', '/api/risks', {
    register: 'iso14971',
    ref: 'HAZ-201',
    product: PRODUCT,
    title: 'ผลคัดกรองอาการผิดพลาด (wrong triage result)',
    hazard: 'Incorrect triage recommendation',
    sequenceOfEvents: 'Symptom text is misread',
    hazardousSituation: 'Patient relies on a low-urgency recommendation',
    harm: 'Delayed treatment',
    severity: 'S4',
    probability: 'remote',
  });
  expect(risk.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a release from CI', () => {
  it('is created once per product and version; another commit under the version is refused', async () => {
    const previous = await ci('POST', '/api/releases', {
      product: PRODUCT,
      version: '1.9.0',
      commit: 'aaaaaaa1',
      builtAt: new Date(Date.now() - 86_400_000).toISOString(),
    });
    expect(previous.status).toBe(201);
    expect(
      (await attach('sbom', fixture('sbom-1.json'), 'bom.json', '/api/releases/patient-platform/1.9.0')).status,
    ).toBe(201);

    const body = {
      product: PRODUCT,
      version: VERSION,
      commit: COMMIT,
      builtAt: new Date().toISOString(),
      anomalies: [
        { ref: 'BUG-77', title: 'Chart legend overlaps on small phones', evaluation: 'Cosmetic; no clinical effect' },
      ],
    };
    const created = await ci('POST', '/api/releases', body);
    expect(created.status).toBe(201);
    expect(created.json.decision.approved).toBe(false);
    const again = await ci('POST', '/api/releases', body);
    expect([again.status, again.json.id]).toEqual([200, created.json.id]);
    const other = await ci('POST', '/api/releases', { ...body, commit: 'bbbbbbb2' });
    expectProblem(other, 409, 'release.commit_differs');
    expect(other.json.errors.map((e: any) => e.field)).toEqual(['commit']);

    expectProblem(
      await ci('POST', '/api/releases', { ...body, product: 'no-such-product' }),
      400,
      'release.unknown_product',
    );
    expectProblem(await ci('POST', '/api/releases', { ...body, builtAt: '2026-12-05 10:00' }), 400);
    // Not engineering: a viewer, an auditor and a clinical owner may not create releases.
    for (const who of ['viewer', 'auditor', 'owner2'] as const)
      expectProblem(await as[who]('POST', '/api/releases', body), 403);
  });

  it('parses each attachment, stores it as evidence, and refuses bad ones naming the field, storing nothing', async () => {
    const before = (await ci('GET', base)).json.attachments.length;
    const doctype = await attach(
      'test_report',
      Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><testsuites/>'),
      'junit.xml',
    );
    expectProblem(doctype, 400, 'release.attachment_invalid');
    expect(doctype.json.errors[0].field).toMatch(/^file/);
    const sbom = JSON.parse(fixture('sbom-2.json').toString('utf8'));
    sbom.version = 'one';
    const badSbom = await attach('sbom', Buffer.from(JSON.stringify(sbom)), 'bom.json');
    expectProblem(badSbom, 400, 'release.attachment_invalid');
    expect(badSbom.json.errors.map((e: any) => e.field)).toContain('file/version');
    expectProblem(
      await attach('npm_audit', fixture('npm-audit-v1.json'), 'audit.json'),
      400,
      'release.attachment_invalid',
    );
    expectProblem(await attach('osv', Buffer.from('{"results": 5}'), 'osv.json'), 400, 'release.attachment_invalid');
    expectProblem(await attach('changelog', Buffer.alloc(1024 * 1024 + 1, 0x61), 'CHANGELOG.md'), 413);
    expectProblem(await attach('nonsense', Buffer.from('x'), 'x.txt'), 400);
    expect((await ci('GET', base)).json.attachments).toHaveLength(before);

    const junit = await attach('test_report', fixture('junit-failing.xml'), 'junit.xml');
    expect(junit.status).toBe(201);
    expect(junit.json.summary).toMatchObject({ passed: false });
    // The same file again is the same attachment.
    expect((await attach('test_report', fixture('junit-failing.xml'), 'junit.xml')).status).toBe(200);
    expect((await attach('sbom', fixture('sbom-2.json'), 'bom.json')).status).toBe(201);
    expect((await attach('secret_scan', fixture('gitleaks.json'), 'gitleaks.json')).status).toBe(201);
    expect((await attach('npm_audit', fixture('npm-audit.json'), 'npm-audit.json')).status).toBe(201);
    expect((await attach('osv', fixture('osv.json'), 'osv.json')).status).toBe(201);
    expect((await attach('changelog', Buffer.from('## 2.0.0\n- triage v2\n'), 'CHANGELOG.md')).status).toBe(201);

    // Each file is an evidence item of its controls, holding the file itself.
    const evidence = await as.compliance('GET', `/api/evidence/${junit.json.evidenceId}`);
    expect(evidence.status).toBe(200);
    expect(evidence.json.controls.map((c: any) => c.key ?? c).sort()).toEqual(['ENG-06', 'ENG-09']);
    const file = await fetch(`${t.baseUrl}/api/evidence/${junit.json.evidenceId}/download?file=2`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(junit.json.sha256);
  });

  it('keeps the release unapproved with the reasons while tests fail and secrets are live', async () => {
    const decision = (await ci('GET', `${base}/decision`)).json;
    expect(decision.approved).toBe(false);
    const reasons = Object.fromEntries(decision.missing.map((m: any) => [m.gate, m.reason]));
    expect(reasons.tests_passed).toMatch(/fail/);
    expect(reasons.no_secret_findings).toMatch(/secret/);
    expect(reasons.no_blocking_dependency_findings).toMatch(/dependency|finding/);
    expect(reasons.sbom_present).toBeUndefined();
    expect(Object.keys(reasons)).toEqual(
      expect.arrayContaining(['qa', 'safety_review', 'clinical_signoff', 'iso14971_clause9']),
    );
    // The SOUP list against 1.9.0's SBOM (IEC 62304 5.8).
    const detail = (await ci('GET', base)).json;
    expect(detail.soup.previousVersion).toBe('1.9.0');
    const diff = detail.soup.diff;
    expect(diff.added.length + diff.removed.length + diff.upgraded.length).toBeGreaterThan(0);
    expect(detail.anomalies).toHaveLength(1);
  });

  it('passes the automatic gates once CI sends a passing report and clean scans', async () => {
    expect((await attach('test_report', fixture('junit-passing.xml'), 'junit.xml')).status).toBe(201);
    expect((await attach('secret_scan', Buffer.from('[]'), 'gitleaks.json')).status).toBe(201);
    expect((await attach('npm_audit', CLEAN_NPM_AUDIT, 'npm-audit.json')).status).toBe(201);
    expect((await attach('osv', Buffer.from('{"results": []}'), 'osv.json')).status).toBe(201);
    expect(await missingGates()).toEqual(['clinical_signoff', 'iso14971_clause9', 'qa', 'safety_review']);
  });

  it('takes each signed gate from its signers only, with their password, and flips to approved', async () => {
    // An API token never signs; someone not named for the gate is refused; a wrong password is audited.
    expectProblem(
      await ci('POST', `${base}/gates/qa/sign`, { password: DEMO_PASSWORD }),
      403,
      'release.signature_needs_session',
    );
    expectProblem(await as.viewer('POST', `${base}/gates/qa/sign`, { password: DEMO_PASSWORD }), 403);
    expectProblem(
      await as.owner2('POST', `${base}/gates/qa/sign`, { password: DEMO_PASSWORD }),
      403,
      'release.not_a_signer',
    );
    expectProblem(
      await as.owner('POST', `${base}/gates/qa/sign`, { password: 'wrong' }),
      403,
      'release.wrong_password',
    );
    expect((await as.admin('GET', '/api/audit-trail?action=release.sign_refused')).json.total).toBe(1);
    expectProblem(
      await as.owner('POST', `${base}/gates/nope/sign`, { password: DEMO_PASSWORD }),
      400,
      'release.unknown_gate',
    );

    expect((await as.owner('POST', `${base}/gates/qa/sign`, { password: DEMO_PASSWORD })).status).toBe(201);
    expectProblem(
      await as.owner('POST', `${base}/gates/qa/sign`, { password: DEMO_PASSWORD }),
      409,
      'release.already_signed',
    );
    expect((await as.quality('POST', `${base}/gates/safety_review/sign`, { password: DEMO_PASSWORD })).status).toBe(
      201,
    );
    expect((await as.owner2('POST', `${base}/gates/clinical_signoff/sign`, { password: DEMO_PASSWORD })).status).toBe(
      201,
    );

    // The clause 9 review signs the generated report, and only the newest one.
    expectProblem(
      await as.owner2('POST', `${base}/gates/iso14971_clause9/sign`, {
        password: DEMO_PASSWORD,
        reportSha256: 'a'.repeat(64),
      }),
      409,
      'release.report_missing',
    );
    const report = await as.owner2('POST', `${base}/risk-report`);
    expect(report.status).toBe(201);
    expect(report.json.risks).toBe(1);
    expectProblem(
      await as.owner2('POST', `${base}/gates/iso14971_clause9/sign`, {
        password: DEMO_PASSWORD,
        reportSha256: 'b'.repeat(64),
      }),
      409,
      'release.report_changed',
    );
    const signed = await as.owner2('POST', `${base}/gates/iso14971_clause9/sign`, {
      password: DEMO_PASSWORD,
      reportSha256: report.json.sha256,
    });
    expect(signed.status).toBe(201);
    expect(signed.json.decision).toEqual({ approved: true, missing: [] });
    const clause9 = signed.json.signatures.find((s: any) => s.gate === 'iso14971_clause9');
    expect(clause9).toMatchObject({ reportSha256: report.json.sha256, signer: 'Dr. Naree Wongsa', state: 'valid' });

    // The report: every risk of the product with its residual level, Thai text intact, the signed hash.
    const pdf = await fetch(`${t.baseUrl}/api/evidence/${report.json.evidenceId}/download?file=2`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.json.sha256);
    const path = join(dir, 'report.pdf');
    writeFileSync(path, bytes);
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      '',
    );
    expect(text).toContain('HAZ-201');
    expect(text).toContain('ผลคัดกรองอาการผิดพลาด'.replace(/\s+/g, ''));
    expect(text).toContain('clause9');
  });

  it('answers the deploy step: approved, audited each time; a change after signing needs the gates again', async () => {
    const asked = (await as.admin('GET', '/api/audit-trail?action=release.decision')).json.total;
    expect((await ci('GET', `${base}/decision`)).json).toMatchObject({ approved: true, missing: [] });
    expect((await as.admin('GET', '/api/audit-trail?action=release.decision')).json.total).toBe(asked + 1);

    const env = { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: 'warn', DATA_DIR: dir };
    const viaDb = await runCliAsync(['release', 'check', '--product', PRODUCT, '--version', VERSION], env);
    expect([viaDb.status, viaDb.stdout]).toEqual([0, expect.stringContaining('approved')]);
    const viaHttp = await runCliAsync(
      ['release', 'check', '--product', PRODUCT, '--version', VERSION, '--url', t.baseUrl],
      {
        ...env,
        ATTEST_TOKEN: token,
      },
    );
    expect([viaHttp.status, viaHttp.stdout]).toEqual([0, expect.stringContaining('approved')]);

    // A new change log after the signatures: the release record changed, so every signature is stale.
    expect((await attach('changelog', Buffer.from('## 2.0.0\n- triage v2\n- hotfix\n'), 'CHANGELOG.md')).status).toBe(
      201,
    );
    expect(await missingGates()).toEqual(['clinical_signoff', 'iso14971_clause9', 'qa', 'safety_review']);
    const stale = await runCliAsync(['release', 'check', '--product', PRODUCT, '--version', VERSION], env);
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain('qa');
    const unknown = await runCliAsync(
      ['release', 'check', '--product', PRODUCT, '--version', '9.9.9', '--url', t.baseUrl],
      {
        ...env,
        ATTEST_TOKEN: token,
      },
    );
    expect(unknown.status).toBe(1);
  }, 180_000);

  it('shows auditors the releases built within their engagement only', async () => {
    expect((await as.auditor('GET', base)).status).toBe(200);
    await ci('POST', '/api/releases', {
      product: PRODUCT,
      version: '0.1.0',
      commit: 'ccccccc3',
      builtAt: '2019-01-01T00:00:00Z',
    });
    expectProblem(await as.auditor('GET', '/api/releases/patient-platform/0.1.0'), 404);
    const listed = (await as.auditor('GET', '/api/releases?limit=200')).json.items.map((r: any) => r.version);
    expect(listed).toContain(VERSION);
    expect(listed).not.toContain('0.1.0');
    expectProblem(await as.viewer('GET', base), 403);
  });
});
