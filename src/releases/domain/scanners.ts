// Scanner reports CI attaches to a release and security operations import as findings (issue 18): gitleaks
// (secrets), npm audit and OSV-Scanner (vulnerable dependencies). Pure. Each parser returns one finding per
// problem with a fingerprint that is the same on every run that sees the same problem, so a re-import changes
// nothing and a finding missing from a later report can be marked resolved:
// - gitleaks: its own `Fingerprint` (commit:file:rule:line, or file:rule:line without git) when present,
//   else `RuleID:File:StartLine:Commit`; the secret itself (`Secret`, `Match`) is never read into a finding;
// - npm audit: `<advisory>:<package>`, the advisory being the GHSA id from the advisory URL, else `npm-<source>`;
// - OSV-Scanner: `<advisory>:<ecosystem>/<package>`, the advisory being the group's first GHSA id, else its
//   first id in sorted order. The package version is not part of it: a finding stays the same finding
//   while an upgrade still leaves the package vulnerable.
import type { AttachmentProblem, FindingSeverity, Parsed, ScanFinding } from './release-model';

/** More findings than this in one report are refused: no real scan of one product finds that many. */
export const SCAN_MAX_FINDINGS = 50_000;
/** Problems reported at most, the first ones. */
export const SCAN_MAX_PROBLEMS = 50;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const refuse = (field: string, message: string): { ok: false; problems: AttachmentProblem[] } => ({
  ok: false,
  problems: [{ field, message }],
});

/** The bytes as JSON, or the problem: not UTF-8, not JSON. */
function readJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false; problems: AttachmentProblem[] } {
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('/', 'is not UTF-8 text');
  }
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (e) {
    return refuse('/', `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Collects findings (one per fingerprint, the first kept) and problems (at most SCAN_MAX_PROBLEMS). */
class Findings {
  private readonly byFingerprint = new Map<string, ScanFinding>();
  readonly problems: AttachmentProblem[] = [];
  tooMany = false;

  add(f: ScanFinding): void {
    if (this.byFingerprint.has(f.fingerprint)) return;
    if (this.byFingerprint.size >= SCAN_MAX_FINDINGS) this.tooMany = true;
    else this.byFingerprint.set(f.fingerprint, f);
  }

  problem(field: string, message: string): void {
    if (this.problems.length < SCAN_MAX_PROBLEMS) this.problems.push({ field, message });
  }

  result(): Parsed<ScanFinding[]> {
    if (this.tooMany) return refuse('/', `has more than ${SCAN_MAX_FINDINGS} findings: refused`);
    if (this.problems.length) return { ok: false, problems: this.problems };
    return { ok: true, value: [...this.byFingerprint.values()] };
  }
}

/**
 * A gitleaks report (`gitleaks detect --report-format json`): an array of leaks, `[]` when none. Every leak
 * is `critical`: a live secret is never a lesser problem. Each leak needs `RuleID`, `File` and a positive
 * `StartLine`.
 */
export function parseGitleaks(bytes: Buffer): Parsed<ScanFinding[]> {
  const json = readJson(bytes);
  if (!json.ok) return json;
  if (!Array.isArray(json.value)) return refuse('/', 'must be a JSON array of leaks (gitleaks --report-format json)');
  const out = new Findings();
  json.value.forEach((leak: unknown, i) => {
    if (!isObject(leak)) return out.problem(`/${i}`, 'must be an object');
    const rule = text(leak.RuleID);
    const file = text(leak.File);
    const line = leak.StartLine;
    if (!rule) out.problem(`/${i}/RuleID`, 'must be the rule that matched');
    if (!file) out.problem(`/${i}/File`, 'must be the file the secret is in');
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 1)
      out.problem(`/${i}/StartLine`, 'must be a line number (1 or more)');
    if (!rule || !file || typeof line !== 'number') return;
    const commit = text(leak.Commit) ?? '';
    out.add({
      scanner: 'gitleaks',
      fingerprint: text(leak.Fingerprint) ?? `${rule}:${file}:${line}:${commit}`,
      title: text(leak.Description) ?? rule,
      severity: 'critical',
      location: `${file}:${line}`,
      advisories: [],
    });
  });
  return out.result();
}

const NPM_SEVERITIES: Record<string, FindingSeverity> = {
  critical: 'critical',
  high: 'high',
  moderate: 'moderate',
  low: 'low',
  info: 'info',
};
const GHSA = /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/i;

/**
 * An `npm audit --json` report of npm 7 and later (`auditReportVersion: 2`); npm 6's format (`advisories`)
 * is refused with a clear message. One finding per advisory and affected package: the advisory objects in
 * each package's `via` (a string in `via` names a dependency the package is vulnerable through, which has
 * its own entry). Severity is the advisory's (critical, high, moderate, low, info).
 */
export function parseNpmAudit(bytes: Buffer): Parsed<ScanFinding[]> {
  const json = readJson(bytes);
  if (!json.ok) return json;
  const doc = json.value;
  if (!isObject(doc)) return refuse('/', 'must be a JSON object (npm audit --json)');
  if (doc.auditReportVersion === undefined && 'advisories' in doc)
    return refuse(
      '/auditReportVersion',
      'is an npm 6 report (auditReportVersion 1, "advisories"); run npm audit --json with npm 7 or later',
    );
  if (doc.auditReportVersion !== 2)
    return refuse(
      '/auditReportVersion',
      `must be 2 (npm 7 or later), got ${JSON.stringify(doc.auditReportVersion) ?? 'nothing'}`,
    );
  if (!isObject(doc.vulnerabilities)) return refuse('/vulnerabilities', 'must be an object of vulnerable packages');
  const out = new Findings();
  for (const [name, vuln] of Object.entries(doc.vulnerabilities)) {
    const at = `/vulnerabilities/${pointerToken(name)}`;
    if (!isObject(vuln)) {
      out.problem(at, 'must be an object');
      continue;
    }
    if (!Array.isArray(vuln.via)) {
      out.problem(`${at}/via`, 'must be an array');
      continue;
    }
    vuln.via.forEach((via: unknown, i) => {
      if (typeof via === 'string') return;
      if (!isObject(via)) return out.problem(`${at}/via/${i}`, 'must be a package name or an advisory');
      const severity = typeof via.severity === 'string' ? NPM_SEVERITIES[via.severity] : undefined;
      if (!severity) return out.problem(`${at}/via/${i}/severity`, 'must be critical, high, moderate, low or info');
      const url = text(via.url);
      const found = url?.match(GHSA)?.[0];
      const ghsa = found ? `GHSA${found.slice(4).toLowerCase()}` : null;
      const source = typeof via.source === 'number' || typeof via.source === 'string' ? String(via.source) : null;
      const advisory = ghsa ?? (source ? `npm-${source}` : null);
      if (!advisory) return out.problem(`${at}/via/${i}/url`, 'must name the advisory (a GHSA URL or a source id)');
      const pkg = text(via.name) ?? name;
      const range = text(via.range);
      out.add({
        scanner: 'npm_audit',
        fingerprint: `${advisory}:${pkg}`,
        title: text(via.title) ?? advisory,
        severity,
        location: range ? `${pkg} ${range}` : pkg,
        advisories: [advisory],
      });
    });
  }
  return out.result();
}

/** A JSON pointer token (RFC 6901): `~` and `/` escaped, so `@scope/name` stays one token. */
function pointerToken(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

const DATABASE_SEVERITIES: Record<string, FindingSeverity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MODERATE: 'moderate',
  MEDIUM: 'moderate',
  LOW: 'low',
};
const SEVERITY_ORDER: readonly FindingSeverity[] = ['info', 'low', 'moderate', 'high', 'critical'];

/**
 * A CVSS base score in the NVD's qualitative bands: 9.0-10.0 critical, 7.0-8.9 high, 4.0-6.9 moderate
 * (medium), 0.1-3.9 low, 0.0 info (none). Null when the text is not a score.
 */
export function cvssSeverity(score: string | number): FindingSeverity | null {
  const n = typeof score === 'number' ? score : /^\s*\d+(\.\d+)?\s*$/.test(score) ? Number(score) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 10) return null;
  if (n >= 9) return 'critical';
  if (n >= 7) return 'high';
  if (n >= 4) return 'moderate';
  if (n > 0) return 'low';
  return 'info';
}

/**
 * An OSV-Scanner report (`osv-scanner --format json`): `results[].packages[]`, each with its
 * `vulnerabilities` and the `groups` that gather one problem's aliases (a GHSA and its CVE). One finding per
 * group and package (without groups, as older versions write, one per vulnerability). Severity: the highest
 * `database_specific.severity` among the group's vulnerabilities (GitHub's CRITICAL/HIGH/MODERATE/LOW), else
 * the group's `max_severity` CVSS score in the NVD bands, else `high`: an unrated vulnerability blocks like a
 * high one until someone rates it (an exception records that judgement).
 */
export function parseOsv(bytes: Buffer): Parsed<ScanFinding[]> {
  const json = readJson(bytes);
  if (!json.ok) return json;
  const doc = json.value;
  if (!isObject(doc)) return refuse('/', 'must be a JSON object (osv-scanner --format json)');
  if (!Array.isArray(doc.results)) return refuse('/results', 'must be an array (osv-scanner --format json)');
  const out = new Findings();
  doc.results.forEach((result: unknown, r) => {
    const at = `/results/${r}`;
    if (!isObject(result) || !Array.isArray(result.packages))
      return out.problem(`${at}/packages`, 'must be an array of packages');
    result.packages.forEach((entry: unknown, p) => osvPackage(entry, `${at}/packages/${p}`, out));
  });
  return out.result();
}

function osvPackage(entry: unknown, at: string, out: Findings): void {
  if (!isObject(entry) || !isObject(entry.package)) return out.problem(`${at}/package`, 'must name the package');
  const name = text(entry.package.name);
  if (!name) return out.problem(`${at}/package/name`, 'must be the package name');
  const ecosystem = text(entry.package.ecosystem) ?? 'unknown';
  const version = text(entry.package.version);
  if (!Array.isArray(entry.vulnerabilities)) return out.problem(`${at}/vulnerabilities`, 'must be an array');
  const vulns = new Map<string, Json>();
  entry.vulnerabilities.forEach((v: unknown, i) => {
    const id = isObject(v) ? text(v.id) : null;
    if (!isObject(v) || !id) return out.problem(`${at}/vulnerabilities/${i}/id`, 'must be the vulnerability id');
    vulns.set(id, v);
  });
  const groups: { ids: string[]; maxSeverity: string | null }[] = [];
  if (Array.isArray(entry.groups))
    entry.groups.forEach((g: unknown, i) => {
      const ids = isObject(g) && Array.isArray(g.ids) ? g.ids.filter((x): x is string => typeof x === 'string') : [];
      if (!isObject(g) || !ids.length) return out.problem(`${at}/groups/${i}/ids`, 'must list the group’s ids');
      groups.push({ ids, maxSeverity: text(g.max_severity) });
    });
  // Vulnerabilities no group mentions (or a report without groups) are their own group.
  const grouped = new Set(groups.flatMap((g) => g.ids));
  for (const id of vulns.keys()) if (!grouped.has(id)) groups.push({ ids: [id], maxSeverity: null });
  for (const g of groups) {
    const records = g.ids.map((id) => vulns.get(id)).filter((v): v is Json => v !== undefined);
    const sorted = [...g.ids].sort();
    const advisory = sorted.find((id) => id.startsWith('GHSA-')) ?? sorted[0];
    const aliases = records.flatMap((v) => (Array.isArray(v.aliases) ? v.aliases : []));
    const advisories = [...new Set([...g.ids, ...aliases.filter((a): a is string => typeof a === 'string')])].sort();
    out.add({
      scanner: 'osv',
      fingerprint: `${advisory}:${ecosystem}/${name}`,
      title: records.map((v) => text(v.summary)).find((s) => s) ?? advisory,
      severity: osvSeverity(records, g.maxSeverity),
      location: version ? `${name}@${version} (${ecosystem})` : `${name} (${ecosystem})`,
      advisories,
    });
  }
}

function osvSeverity(records: Json[], maxSeverity: string | null): FindingSeverity {
  let best: FindingSeverity | null = null;
  for (const v of records) {
    const specific = isObject(v.database_specific) ? v.database_specific.severity : undefined;
    const s = typeof specific === 'string' ? DATABASE_SEVERITIES[specific.toUpperCase()] : undefined;
    if (s && (best === null || SEVERITY_ORDER.indexOf(s) > SEVERITY_ORDER.indexOf(best))) best = s;
  }
  return best ?? (maxSeverity ? cvssSeverity(maxSeverity) : null) ?? 'high';
}
