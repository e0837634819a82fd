// What each kind of release attachment is read as, which controls it is evidence of, and which attachment
// of each kind counts (the newest). Pure, apart from the SBOM schema validation being asynchronous.
import { parseCycloneDx } from './cyclonedx';
import { parseJUnit } from './junit';
import type { AttachmentKind, AttachmentProblem, FindingSeverity, Parsed, ScanFinding } from './release-model';
import { parseGitleaks, parseNpmAudit, parseOsv } from './scanners';

/**
 * The catalog controls each attachment is evidence of (controls/controls/engineering.yaml): test reports of
 * released builds (ENG-09) and the release record (ENG-06); the SBOM and SOUP list (ENG-03) and the archived
 * artefacts (ENG-10); secret scanning (ENG-02); dependency scanning (ENG-04); the change log (ENG-01, ENG-10).
 */
export const ATTACHMENT_CONTROLS: Record<AttachmentKind, string[]> = {
  test_report: ['ENG-09', 'ENG-06'],
  sbom: ['ENG-03', 'ENG-10'],
  secret_scan: ['ENG-02'],
  npm_audit: ['ENG-04'],
  osv: ['ENG-04'],
  changelog: ['ENG-01', 'ENG-10'],
};

/** How each kind is named for people. */
export const ATTACHMENT_LABELS: Record<AttachmentKind, string> = {
  test_report: 'test report (JUnit XML)',
  sbom: 'SBOM (CycloneDX JSON)',
  secret_scan: 'secret scan (gitleaks JSON)',
  npm_audit: 'dependency audit (npm audit JSON)',
  osv: 'dependency audit (OSV-Scanner JSON)',
  changelog: 'change log',
};

/** A change log as stored: its line count and its first lines, for the release page. */
export interface ChangelogSummary {
  lines: number;
  head: string[];
}

const CHANGELOG_HEAD_LINES = 40;

export function parseChangelog(bytes: Buffer): Parsed<ChangelogSummary> {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const problems: AttachmentProblem[] = [];
  if (text.includes('\uFFFD')) problems.push({ field: '/', message: 'is not UTF-8 text' });
  if (text.includes('\0')) problems.push({ field: '/', message: 'contains a NUL character' });
  if (problems.length) return { ok: false, problems };
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return { ok: true, value: { lines: lines.length, head: lines.slice(0, CHANGELOG_HEAD_LINES) } };
}

/** Reads an attachment of the kind: its summary, or every problem with where it is in the file. */
export function parseAttachment(kind: AttachmentKind, bytes: Buffer): Promise<Parsed<unknown>> | Parsed<unknown> {
  switch (kind) {
    case 'test_report':
      return parseJUnit(bytes);
    case 'sbom':
      return parseCycloneDx(bytes);
    case 'secret_scan':
      return parseGitleaks(bytes);
    case 'npm_audit':
      return parseNpmAudit(bytes);
    case 'osv':
      return parseOsv(bytes);
    case 'changelog':
      return parseChangelog(bytes);
  }
}

/** The newest attachment of each kind (rows oldest first, as the repository lists them). */
export function currentByKind<T extends { kind: AttachmentKind }>(rows: T[]): Map<AttachmentKind, T> {
  const current = new Map<AttachmentKind, T>();
  for (const r of rows) current.set(r.kind, r);
  return current;
}

/**
 * The dependency findings of the newest npm audit and OSV reports, one per fingerprint (both scanners may
 * report the same advisory on the same package: the fingerprints are advisory+package, so it counts once).
 */
export function dependencyFindings(npmAudit: ScanFinding[] | null, osv: ScanFinding[] | null): ScanFinding[] {
  const byKey = new Map<string, ScanFinding>();
  for (const f of [...(npmAudit ?? []), ...(osv ?? [])]) if (!byKey.has(f.fingerprint)) byKey.set(f.fingerprint, f);
  return [...byKey.values()];
}

export const SEVERITY_RANK: Record<FindingSeverity, number> = { critical: 4, high: 3, moderate: 2, low: 1, info: 0 };
