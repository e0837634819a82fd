// Releases and the security-operations registers in an audit pack (issue 18), over real HTTP on the real
// catalog (DEMO=1: the demo findings and keys are there too): CI (an API token) posts two releases and
// their files; the high dependency finding of one is imported into the findings register and accepted as
// risk with a password signature, and all four of its gates are signed (the clause 9 review signing the
// generated report); the other has failing tests and only QA's signature. A SOC 2 pack is built: the PDF
// (pdftotext) shows the releases, their gates, signatures, the exception relied on and the decisions, and
// the findings and keys registers, every count equal to the tally of the table rows; releases.json and
// security-registers.json are in the ZIP and its manifest; pdfsig says valid, `attest pack verify` says ok.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackBuilder } from '../../src/audit-packs/pack-builder.service';
import { dayOf } from '../../src/common/time/days';
import { DEMO_PASSWORD } from '../../src/identity/demo-users';
import { startTestApp, TestApp } from '../support/app';
import { client, DEMO, login } from '../support/auth';
import { runCli } from '../support/processes';
import { unzip } from '../support/zip';

type Who = 'compliance' | 'owner' | 'owner2' | 'quality';
const ORG = 'Acme Health Co., Ltd.';
const PRODUCT = 'patient-platform';
const DAY = 86_400_000;
const FIXTURES = join(__dirname, '..', 'fixtures', 'releases');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const GHSA = 'GHSA-9999-8888-7777';
const PKG = 'pack-image-resizer';
const REASON = 'Not reachable: the resizer only runs on trusted uploads';

let t: TestApp;
let as: Record<Who, ReturnType<typeof client>>;
let cookie: string;
let token: string;
let ci: ReturnType<typeof client>;
let work: string;
let pdfPath: string;
let zipPath: string;
let entries: Map<string, Buffer>;
let text: string;

/** An npm audit v2 report with one high advisory. */
const npmAudit = Buffer.from(
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: {
      [PKG]: {
        name: PKG,
        severity: 'high',
        via: [
          {
            source: 1,
            name: PKG,
            title: `${PKG} is vulnerable`,
            url: `https://github.com/advisories/${GHSA}`,
            severity: 'high',
            range: '<2.0.0',
          },
        ],
      },
    },
    metadata: {},
  }),
);

async function upload(path: string, bytes: Buffer, filename: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), filename);
  const res = await fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = await res.text();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${body}`);
  return JSON.parse(body);
}

async function ok(r: Promise<{ status: number; json: any }>) {
  const res = await r;
  if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** A release from CI with its files (tests passing or not). */
async function release(version: string, tests: 'junit-passing.xml' | 'junit-failing.xml') {
  await ok(
    ci('POST', '/api/releases', {
      product: PRODUCT,
      version,
      commit: `c0ffee${version.replace(/\./g, '')}`,
      builtAt: new Date(Date.now() - DAY).toISOString(),
    }),
  );
  const base = `/api/releases/${PRODUCT}/${version}/attachments`;
  await upload(`${base}/test_report`, fixture(tests), 'junit.xml');
  await upload(`${base}/sbom`, fixture('sbom-2.json'), 'sbom.json');
  await upload(`${base}/secret_scan`, Buffer.from('[]'), 'gitleaks.json');
  await upload(`${base}/npm_audit`, npmAudit, 'npm-audit.json');
}

const sign = (who: Who, version: string, gate: string, extra: object = {}) =>
  ok(as[who]('POST', `/api/releases/${PRODUCT}/${version}/gates/${gate}/sign`, { password: DEMO_PASSWORD, ...extra }));

/** The PDF's text without the running header and footer lines, whitespace collapsed. */
function flat(s: string): string {
  return s
    .split('\n')
    .filter((l) => !/Page \d+ of \d+$/.test(l) && !l.includes('Audit period ') && l.trim() !== ORG)
    .join(' ')
    .replace(/\s+/g, ' ');
}
const between = (from: string, until: string) => {
  const start = text.indexOf(from);
  return text.slice(start, text.indexOf(until, start));
};
/** Rows of a table: each starts with one of `starts` (a row's first cell). */
const rowsOf = (table: string, starts: RegExp) =>
  table
    .split(new RegExp(`(?=${starts.source})`))
    .slice(1)
    .map((r) => r.trim());
const num = (s: string, label: string) => Number(new RegExp(`${label} (\\d+)`).exec(s)![1]);

beforeAll(async () => {
  t = await startTestApp({ env: { DEMO: '1', ORGANISATION_NAME: ORG } });
  as = {} as typeof as;
  for (const who of ['compliance', 'owner', 'owner2', 'quality'] as const) {
    const c = await login(t.baseUrl, DEMO[who]);
    if (who === 'compliance') cookie = c;
    as[who] = client(t.baseUrl, c);
  }
  token = (await ok(as.owner('POST', '/api/tokens', { name: 'ci', expiresInDays: 30 }))).token;
  ci = client(t.baseUrl, token);
  work = mkdtempSync(join(tmpdir(), 'attest-pack-releases-'));

  // 7.0.0: the high finding accepted as risk, every gate signed.
  await release('7.0.0', 'junit-passing.xml');
  await upload(`/api/findings/imports/npm-audit?product=${PRODUCT}`, npmAudit, 'npm-audit.json');
  const findings = (await ok(as.compliance('GET', `/api/findings?product=${PRODUCT}&limit=100`))).items as any[];
  const finding = findings.find((f) => f.fingerprint === `${GHSA}:${PKG}`);
  await ok(
    as.compliance('POST', `/api/findings/${finding.id}/acceptance`, {
      reason: REASON,
      expiresOn: dayOf(new Date(Date.now() + 60 * DAY)),
      password: DEMO_PASSWORD,
    }),
  );
  await sign('owner', '7.0.0', 'qa');
  await sign('quality', '7.0.0', 'safety_review');
  await sign('owner2', '7.0.0', 'clinical_signoff');
  const report = await ok(as.owner2('POST', `/api/releases/${PRODUCT}/7.0.0/risk-report`));
  const signed = await sign('owner2', '7.0.0', 'iso14971_clause9', { reportSha256: report.sha256 });
  expect(signed.decision).toEqual({ approved: true, missing: [] });
  // 7.1.0: failing tests, QA only.
  await release('7.1.0', 'junit-failing.xml');
  await sign('owner', '7.1.0', 'qa');

  // A period still running: the sections speak of the moment the pack is built.
  const requested = await as.compliance('POST', '/api/packs', {
    framework: 'soc2',
    from: dayOf(new Date(Date.now() - 5 * DAY)),
    to: dayOf(new Date(Date.now() + 2 * DAY)),
  });
  expect(requested.status).toBe(202);
  expect(await t.app.get(PackBuilder).buildNow(requested.json.id)).toMatchObject({ status: 'done' });
  const res = await fetch(`${t.baseUrl}/api/packs/${requested.json.id}/download`, { headers: { cookie } });
  const zip = Buffer.from(await res.arrayBuffer());
  zipPath = join(work, 'pack.zip');
  writeFileSync(zipPath, zip);
  entries = await unzip(zip);
  pdfPath = join(work, 'pack.pdf');
  writeFileSync(pdfPath, entries.get('audit-pack.pdf')!);
  text = flat(
    execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  );
}, 180_000);
afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the Releases section', () => {
  const section = () => between('Releases built in the period (whole', 'The security-operations registers');
  const REF = /patient-platform 7\.[01]\.0 /;

  it('lists both releases with their decisions, the signatures and the exception relied on', () => {
    const s = section();
    expect(s).toContain('the moment this pack was built');
    expect(s).toContain('Releases 2 Decision 1 approved, 1 not approved, 0 without gates');
    const releases = rowsOf(between('Releases built in the period Release Product', 'Gates Release'), REF);
    expect(releases.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual([
      'patient-platform 7.0.0',
      'patient-platform 7.1.0',
    ]);
    expect(releases[0]).toMatch(/ approved$/);
    expect(releases[1]).toMatch(/not approved: tests_passed, safety_review, clinical_signoff, iso14971_clause9$/);
    expect(s).toContain('signed by Dr. Naree Wongsa (control owner, clinical)');
    expect(s).toContain(`${PKG} is vulnerable (${GHSA}:`);
    expect(s).toContain(REASON);
  });

  it('every count is the tally of the table rows', () => {
    const s = section();
    const gates = rowsOf(between('Gates Release Gate Kind State', 'Release records and the hashes'), REF);
    expect(gates).toHaveLength(16); // 8 gates each
    const notPassed = gates.filter((g) => g.includes(' not passed: ')).length;
    expect(/Gates (\d+) passed, (\d+) not passed/.exec(s)!.slice(1).map(Number)).toEqual([16 - notPassed, notPassed]);
    expect(num(s, 'Signatures')).toBe(gates.filter((g) => g.includes(' signed by ')).length);
    expect(num(s, 'Signatures')).toBe(5);
    const exceptions = rowsOf(between('Accepted exceptions relied on by a gate Release', 'Security operations'), REF);
    expect(num(s, 'Accepted exceptions relied on')).toBe(exceptions.length);
    expect(exceptions).toHaveLength(2); // both releases carry the accepted finding
    // The record each signature binds is listed with its hash.
    const hashes = rowsOf(between('Release records and the hashes signed', 'Accepted exceptions relied on by'), REF);
    expect(hashes.filter((h) => / signature [0-9a-f]{64}$/.test(h))).toHaveLength(5);
  });
});

describe('the Security operations section', () => {
  const section = () => between('The security-operations registers stated', 'Audit trail Head entry');

  it('the findings register: counts equal to the tally of its rows, the acceptance with its reason', () => {
    const s = section();
    const table = s.slice(s.indexOf('Ref Finding Source'), s.indexOf('Risk acceptances (exceptions)'));
    const rows = rowsOf(table, /F-[0-9a-f]{8} /);
    expect(num(s, 'Findings')).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(1);
    const sla =
      /Fix deadlines (\d+) closed in time, (\d+) closed late, (\d+) overdue, (\d+) running, (\d+) accepted as risk/
        .exec(s)!
        .slice(1)
        .map(Number);
    const ending = (w: string) => rows.filter((r) => r.endsWith(` ${w}`)).length;
    expect(sla).toEqual(['closed in time', 'closed late', 'overdue', 'running', 'accepted as risk'].map(ending));
    const bySeverity = /By severity (.*?) By status/.exec(s)![1];
    for (const [, sev, n] of bySeverity.matchAll(/(critical|high|moderate|low|info) (\d+)/g))
      expect(rows.filter((r) => new RegExp(`\\) \\S.* ${sev} \\d{4}-`).test(r)).length).toBe(Number(n));
    const ours = rows.find((r) => r.includes(`${PKG} is vulnerable`))!;
    expect(ours).toMatch(/ accepted accepted as risk$/);
    expect(s).toContain(REASON);
  });

  it('the keys register: each key with its clock, counts equal to the tally, never a value', () => {
    const s = section();
    const table = s.slice(s.indexOf('Key System Kind Owner'));
    // Each row ends with the key's state and its rotations in the period ("due soon 1×").
    const rows = [...table.matchAll(/ (ok|due soon|overdue) (\d+)× /g)].map((m) => ({
      state: m[1],
      rotated: Number(m[2]),
    }));
    expect(num(s, 'Keys')).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(0);
    const counts = /Rotation clocks (\d+) ok, (\d+) due soon, (\d+) overdue/.exec(s)!.slice(1).map(Number);
    const state = (w: string) => rows.filter((r) => r.state === w).length;
    expect(counts).toEqual([state('ok'), state('due soon'), state('overdue')]);
    expect(num(s, 'Rotations in the period')).toBe(rows.reduce((n, r) => n + r.rotated, 0));
  });
});

describe('the ZIP and signatures', () => {
  it('carries releases.json and security-registers.json, listed in manifest.json with their SHA-256', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
    const paths = manifest.files.map((f: any) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['releases.json', 'security-registers.json']));
    const releases = JSON.parse(entries.get('releases.json')!.toString('utf8'));
    expect(releases.releases.map((r: any) => [r.ref, r.approved])).toEqual([
      ['patient-platform 7.0.0', true],
      ['patient-platform 7.1.0', false],
    ]);
    expect(releases.exceptions[0].acceptance.reason).toBe(REASON);
    const registers = JSON.parse(entries.get('security-registers.json')!.toString('utf8'));
    expect(registers.keys.counts.keys).toBe(registers.keys.keys.length);
    expect(Object.keys(registers.keys.keys[0]).sort()).not.toContain('value');
  });

  it('pdfsig says the signature is valid over the whole document; `attest pack verify` says ok', () => {
    const sig = spawnSync('pdfsig', [pdfPath], { encoding: 'utf8' });
    expect(sig.stdout).toContain('Signature is Valid');
    expect(sig.stdout).toContain('Total document signed');
    const r = runCli(['pack', 'verify', zipPath], { ...process.env });
    expect([r.stdout.trim(), r.status]).toEqual(['ok', 0]);
  });
});

describe('the weekly sweep', () => {
  const snapshot = async (control: string, collector: string) => {
    const list = await as.compliance('GET', `/api/evidence?control=${control}&limit=100`);
    const item = (list.json.items as any[]).find((i) => i.source === `collector:${collector}`);
    expect(item).toBeDefined();
    const file = await as.compliance('GET', `/api/evidence/${item.id}/download`);
    expect(file.status).toBe(200);
    return JSON.parse(file.text);
  };

  it('stores the releases of the week with their decision as evidence of ENG-06, and the findings register of ENG-04', async () => {
    await ok(
      ci('POST', '/api/releases', {
        product: PRODUCT,
        version: '7.2.0',
        commit: 'c0ffee720',
        builtAt: new Date().toISOString(),
      }),
    );
    expect((await as.compliance('POST', '/api/sweeps', {})).status).toBe(200);
    const releases = await snapshot('ENG-06', 'release-register');
    const r = releases.releases.find((x: any) => x.version === '7.2.0');
    expect(r).toMatchObject({ product: PRODUCT, commit: 'c0ffee720', approved: false });
    expect(r.missing.map((m: any) => m.gate)).toEqual(expect.arrayContaining(['tests_passed', 'qa']));
    expect(releases.counts.releases).toBe(releases.releases.length);
    expect(releases.counts.approved + releases.counts.notApproved).toBeLessThanOrEqual(releases.counts.releases);

    const findings = await snapshot('ENG-04', 'finding-register');
    expect(findings.counts.findings).toBe(findings.findings.length);
    const accepted = findings.findings.find((f: any) => f.title === `${PKG} is vulnerable`);
    expect(accepted).toMatchObject({ status: 'accepted', acceptance: { holds: true } });
    const bySla: Record<string, number> = {};
    for (const f of findings.findings) bySla[f.sla.state] = (bySla[f.sla.state] ?? 0) + 1;
    expect(findings.counts.bySla).toEqual(bySla);
  });
});
