import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttachmentProblem, Parsed, ScanFinding } from './release-model';
import { cvssSeverity, parseGitleaks, parseNpmAudit, parseOsv, SCAN_MAX_FINDINGS } from './scanners';

const FIXTURES = join(__dirname, '../../../test/fixtures/releases');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const json = (doc: unknown) => Buffer.from(JSON.stringify(doc), 'utf8');

function value(p: Parsed<ScanFinding[]>): ScanFinding[] {
  if (!p.ok) throw new Error(`expected findings, got ${JSON.stringify(p.problems)}`);
  return p.value;
}
function problems(p: Parsed<ScanFinding[]>): AttachmentProblem[] {
  if (p.ok) throw new Error(`expected problems, got ${JSON.stringify(p.value)}`);
  return p.problems;
}

describe('parseGitleaks', () => {
  it('reads the fixture: every leak critical, gitleaks’ own fingerprint, else rule+file+line+commit', () => {
    expect(value(parseGitleaks(fixture('gitleaks.json')))).toEqual([
      {
        scanner: 'gitleaks',
        fingerprint: '8f2c1a9d4e7b3c6a5f0e9d8c7b6a5f4e3d2c1b0a:src/billing/stripe.config.ts:stripe-access-token:14',
        title:
          'Found a Stripe Access Token, posing a risk to payment processing services and sensitive financial data.',
        severity: 'critical',
        location: 'src/billing/stripe.config.ts:14',
        advisories: [],
      },
      {
        scanner: 'gitleaks',
        fingerprint: 'generic-api-key:deploy/.env.staging:3:',
        title: 'Detected a Generic API Key, potentially exposing access to various services and sensitive operations.',
        severity: 'critical',
        location: 'deploy/.env.staging:3',
        advisories: [],
      },
    ]);
  });

  it('never copies the secret into a finding', () => {
    const leak = {
      RuleID: 'aws-access-token',
      File: 'a.ts',
      StartLine: 1,
      Secret: 'AKIAIOSFODNN7EXAMPLE',
      Match: 'k=AKIAIOSFODNN7EXAMPLE',
    };
    expect(JSON.stringify(value(parseGitleaks(json([leak]))))).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('reads an empty report as no findings, and the same leak twice as one', () => {
    expect(value(parseGitleaks(json([])))).toEqual([]);
    const leak = { RuleID: 'r', File: 'f', StartLine: 2, Commit: 'c' };
    expect(value(parseGitleaks(json([leak, leak])))).toHaveLength(1);
  });

  it('gives the same fingerprints on a re-run', () => {
    const fingerprints = () => value(parseGitleaks(fixture('gitleaks.json'))).map((f) => f.fingerprint);
    expect(fingerprints()).toEqual(fingerprints());
  });

  it('refuses a report that is not an array, and names each bad leak’s field', () => {
    expect(problems(parseGitleaks(json({ findings: [] })))).toEqual([
      { field: '/', message: expect.stringMatching(/JSON array of leaks/) },
    ]);
    expect(problems(parseGitleaks(Buffer.from('not json')))).toEqual([
      { field: '/', message: expect.stringMatching(/^is not valid JSON/) },
    ]);
    expect(
      problems(parseGitleaks(json([{ RuleID: 'r', File: 'f', StartLine: 1 }, 'x', { File: 'f', StartLine: 0 }]))),
    ).toEqual([
      { field: '/1', message: 'must be an object' },
      { field: '/2/RuleID', message: 'must be the rule that matched' },
      { field: '/2/StartLine', message: 'must be a line number (1 or more)' },
    ]);
  });

  it(`refuses more than ${SCAN_MAX_FINDINGS} findings`, () => {
    const leaks = Array.from({ length: SCAN_MAX_FINDINGS + 1 }, (_, i) => ({
      RuleID: 'r',
      File: 'f',
      StartLine: i + 1,
    }));
    expect(problems(parseGitleaks(json(leaks)))).toEqual([
      { field: '/', message: `has more than ${SCAN_MAX_FINDINGS} findings: refused` },
    ]);
  });
});

describe('parseNpmAudit', () => {
  it('reads the fixture: one finding per advisory and package, packages vulnerable only through others skipped', () => {
    expect(value(parseNpmAudit(fixture('npm-audit.json')))).toEqual([
      {
        scanner: 'npm_audit',
        fingerprint: 'GHSA-67hx-6x53-jw92:@babel/traverse',
        title: 'Babel vulnerable to arbitrary code execution when compiling specifically crafted malicious code',
        severity: 'critical',
        location: '@babel/traverse <7.23.2',
        advisories: ['GHSA-67hx-6x53-jw92'],
      },
      {
        scanner: 'npm_audit',
        fingerprint: 'GHSA-qw6h-vgh9-j6wx:express',
        title: 'express vulnerable to XSS via response.redirect()',
        severity: 'low',
        location: 'express <4.20.0',
        advisories: ['GHSA-qw6h-vgh9-j6wx'],
      },
      {
        scanner: 'npm_audit',
        fingerprint: 'GHSA-m6fv-jmcg-4jfg:send',
        title: 'send vulnerable to template injection that can lead to XSS',
        severity: 'low',
        location: 'send <0.19.0',
        advisories: ['GHSA-m6fv-jmcg-4jfg'],
      },
      {
        scanner: 'npm_audit',
        fingerprint: 'GHSA-35jh-r3h4-6jhm:lodash',
        title: 'Command Injection in lodash',
        severity: 'high',
        location: 'lodash <4.17.21',
        advisories: ['GHSA-35jh-r3h4-6jhm'],
      },
      {
        scanner: 'npm_audit',
        fingerprint: 'GHSA-29mw-wpgm-hmr9:lodash',
        title: 'Regular Expression Denial of Service (ReDoS) in lodash',
        severity: 'moderate',
        location: 'lodash <4.17.21',
        advisories: ['GHSA-29mw-wpgm-hmr9'],
      },
    ]);
  });

  it('maps every npm severity, and falls back to the npm advisory number without a GHSA URL', () => {
    const vulnerabilities = Object.fromEntries(
      ['critical', 'high', 'moderate', 'low', 'info'].map((severity, i) => [
        `p${i}`,
        {
          name: `p${i}`,
          severity,
          via: [{ source: 1000 + i, name: `p${i}`, title: 't', severity, url: 'https://npmjs.com/advisories/x' }],
        },
      ]),
    );
    const found = value(parseNpmAudit(json({ auditReportVersion: 2, vulnerabilities })));
    expect(found.map((f) => [f.fingerprint, f.severity])).toEqual([
      ['npm-1000:p0', 'critical'],
      ['npm-1001:p1', 'high'],
      ['npm-1002:p2', 'moderate'],
      ['npm-1003:p3', 'low'],
      ['npm-1004:p4', 'info'],
    ]);
  });

  it('reads a clean audit as no findings', () => {
    expect(value(parseNpmAudit(json({ auditReportVersion: 2, vulnerabilities: {}, metadata: {} })))).toEqual([]);
  });

  it('refuses npm 6’s report format clearly', () => {
    expect(problems(parseNpmAudit(fixture('npm-audit-v1.json')))).toEqual([
      { field: '/auditReportVersion', message: expect.stringMatching(/npm 6 report.*npm 7 or later/) },
    ]);
  });

  it.each([
    ['another version', { auditReportVersion: 3, vulnerabilities: {} }, '/auditReportVersion', /must be 2.*got 3/],
    ['no version', { vulnerabilities: {} }, '/auditReportVersion', /got nothing/],
    ['no vulnerabilities', { auditReportVersion: 2 }, '/vulnerabilities', /must be an object/],
    ['an array', [], '/', /JSON object/],
  ])('refuses %s', (_what, doc, field, message) => {
    expect(problems(parseNpmAudit(json(doc)))).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('names a bad advisory by its JSON pointer, escaping a scoped name', () => {
    const doc = {
      auditReportVersion: 2,
      vulnerabilities: {
        '@scope/pkg': {
          via: [{ title: 't', severity: 'severe', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc' }],
        },
        other: { via: [{ title: 't', severity: 'high' }] },
        broken: { via: 'x' },
      },
    };
    expect(problems(parseNpmAudit(json(doc)))).toEqual([
      {
        field: '/vulnerabilities/@scope~1pkg/via/0/severity',
        message: 'must be critical, high, moderate, low or info',
      },
      { field: '/vulnerabilities/other/via/0/url', message: 'must name the advisory (a GHSA URL or a source id)' },
      { field: '/vulnerabilities/broken/via', message: 'must be an array' },
    ]);
  });
});

describe('parseOsv', () => {
  it('reads the fixture: one finding per group and package, severities from the database, CVSS bands, or unrated as high', () => {
    expect(value(parseOsv(fixture('osv.json')))).toEqual([
      {
        scanner: 'osv',
        fingerprint: 'GHSA-29mw-wpgm-hmr9:npm/lodash',
        title: 'Regular Expression Denial of Service (ReDoS) in lodash',
        severity: 'moderate',
        location: 'lodash@4.17.20 (npm)',
        advisories: ['CVE-2020-28500', 'GHSA-29mw-wpgm-hmr9'],
      },
      {
        scanner: 'osv',
        fingerprint: 'GHSA-35jh-r3h4-6jhm:npm/lodash',
        title: 'Command Injection in lodash',
        severity: 'high',
        location: 'lodash@4.17.20 (npm)',
        advisories: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm'],
      },
      {
        scanner: 'osv',
        fingerprint: 'GHSA-4v7x-pqxf-cx7m:Go/golang.org/x/net',
        title: 'net/http, x/net/http2: close connections when receiving too many headers',
        severity: 'high',
        location: 'golang.org/x/net@0.22.0 (Go)',
        advisories: ['CVE-2023-45288', 'GHSA-4v7x-pqxf-cx7m', 'GO-2024-2687'],
      },
      {
        scanner: 'osv',
        fingerprint: 'GO-2024-2887:Go/stdlib',
        title: 'Unexpected behavior from Is methods for IPv4-mapped IPv6 addresses in net/netip',
        severity: 'high',
        location: 'stdlib@1.22.1 (Go)',
        advisories: ['CVE-2024-24790', 'GO-2024-2887'],
      },
    ]);
  });

  it('takes the group’s CVSS score when no database severity is given, and reads reports without groups', () => {
    const pkg = (maxSeverity: string | undefined) => ({
      package: { name: 'p', version: '1', ecosystem: 'PyPI' },
      vulnerabilities: [{ id: 'PYSEC-2024-1', summary: 's' }],
      ...(maxSeverity === undefined ? {} : { groups: [{ ids: ['PYSEC-2024-1'], max_severity: maxSeverity }] }),
    });
    const severity = (m: string | undefined) =>
      value(parseOsv(json({ results: [{ packages: [pkg(m)] }] })))[0].severity;
    expect(severity('9.8')).toBe('critical');
    expect(severity('4.0')).toBe('moderate');
    expect(severity('0.0')).toBe('info');
    expect(severity(undefined)).toBe('high');
  });

  it('keeps the fingerprint when the vulnerable package moves to another version', () => {
    const report = (version: string) =>
      json({
        results: [
          {
            packages: [
              {
                package: { name: 'lodash', version, ecosystem: 'npm' },
                vulnerabilities: [{ id: 'GHSA-35jh-r3h4-6jhm', database_specific: { severity: 'HIGH' } }],
              },
            ],
          },
        ],
      });
    expect(value(parseOsv(report('4.17.19')))[0].fingerprint).toBe(value(parseOsv(report('4.17.20')))[0].fingerprint);
  });

  it('reads a clean scan as no findings', () => {
    expect(value(parseOsv(json({ results: [] })))).toEqual([]);
  });

  it('refuses what is not an OSV-Scanner report and names bad entries', () => {
    expect(problems(parseOsv(json({ vulns: [] })))).toEqual([
      { field: '/results', message: expect.stringMatching(/must be an array/) },
    ]);
    const doc = {
      results: [
        { packages: [{ package: { version: '1' }, vulnerabilities: [] }] },
        { packages: [{ package: { name: 'p' }, vulnerabilities: [{ summary: 'no id' }], groups: [{ ids: [] }] }] },
        {},
      ],
    };
    expect(problems(parseOsv(json(doc)))).toEqual([
      { field: '/results/0/packages/0/package/name', message: 'must be the package name' },
      { field: '/results/1/packages/0/vulnerabilities/0/id', message: 'must be the vulnerability id' },
      { field: '/results/1/packages/0/groups/0/ids', message: 'must list the group’s ids' },
      { field: '/results/2/packages', message: 'must be an array of packages' },
    ]);
  });
});

describe('cvssSeverity', () => {
  it.each([
    ['10.0', 'critical'],
    ['9.0', 'critical'],
    ['8.9', 'high'],
    ['7.0', 'high'],
    ['6.9', 'moderate'],
    ['4.0', 'moderate'],
    ['3.9', 'low'],
    ['0.1', 'low'],
    ['0', 'info'],
    ['', null],
    ['high', null],
    ['11', null],
  ])('%s → %s', (score, severity) => {
    expect(cvssSeverity(score)).toBe(severity);
  });
});
