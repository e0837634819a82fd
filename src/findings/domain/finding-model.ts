// The findings register's vocabulary (issue 18): where a finding came from, its status, and the record a
// risk acceptance signs. Pure.
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

export const FINDING_SOURCES = ['pen_test', 'npm_audit', 'osv', 'gitleaks', 'manual'] as const;
export type FindingSource = (typeof FINDING_SOURCES)[number];

/** Scanner reports imported as findings, as the import route names them and as they are stored. */
export const SCAN_KINDS = { 'npm-audit': 'npm_audit', osv: 'osv', gitleaks: 'gitleaks' } as const;
export type ScanRouteKind = keyof typeof SCAN_KINDS;
export type ScanKind = (typeof SCAN_KINDS)[ScanRouteKind];
export const SCAN_ROUTE_KINDS = Object.keys(SCAN_KINDS) as ScanRouteKind[];

/**
 * open → fixed (fix evidence recorded) → closed (retest passed) or open again (retest failed);
 * open → resolved_by_scan (missing from a later scan of the same kind and product; found again: open);
 * open → accepted (a signed risk acceptance with an expiry; once it expires the finding counts as open).
 */
export const FINDING_STATUSES = ['open', 'fixed', 'resolved_by_scan', 'accepted', 'closed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Statuses whose SLA clock has stopped (closed_at is set). */
export const CLOSED_STATUSES: readonly FindingStatus[] = ['fixed', 'resolved_by_scan', 'closed'];

export const RETEST_RESULTS = ['passed', 'failed'] as const;
export type RetestResult = (typeof RETEST_RESULTS)[number];

/** What the signer of a risk acceptance states, shown on the form and bound into the signature. */
export const ACCEPTANCE_MEANING =
  'I accept the risk of this finding staying unfixed until the expiry date, for the reason given';

/** Everything a risk acceptance binds; its SHA-256 is what the signature covers. */
export interface AcceptanceBinding {
  findingId: string;
  fingerprint: string | null;
  severity: string;
  title: string;
  reason: string;
  expiresOn: string;
  meaning: string;
  signerUserId: string;
  signedAt: Date;
}

/** SHA-256 of the canonical JSON (RFC 8785) of the acceptance. */
export function acceptanceSha256(b: AcceptanceBinding): string {
  const text = canonicalize({
    findingId: b.findingId,
    fingerprint: b.fingerprint,
    severity: b.severity,
    title: b.title,
    reason: b.reason,
    expiresOn: b.expiresOn,
    meaning: b.meaning,
    signerUserId: b.signerUserId,
    signedAt: b.signedAt.toISOString(),
  });
  if (text === undefined) throw new Error('an acceptance must be JSON');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Whether an acceptance expiring on `expiresOn` (its last valid day, YYYY-MM-DD) still holds on `today`. */
export function acceptanceHolds(expiresOn: string, today: string): boolean {
  return today <= expiresOn;
}
