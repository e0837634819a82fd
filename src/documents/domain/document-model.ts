// Controlled documents (issue 17): the vocabulary, the version lifecycle and content hashing. Pure: no
// Nest, no TypeORM; node:crypto only for SHA-256.
import { createHash } from 'node:crypto';
import { addMonths, formatDate, parseDate } from '../../common/time/calendar';

export const DOCUMENT_TYPES = ['policy', 'procedure', 'plan', 'standard', 'work_instruction'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const VERSION_STATUSES = ['draft', 'in_review', 'approved', 'published', 'superseded', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** What a signer states by signing (21 CFR 11.50: the meaning is part of the signature). */
export const SIGNATURE_MEANINGS = ['reviewed', 'approved'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

/** A signature record's kind: a signature with its meaning, or a rejection (with a reason, no password). */
export const SIGNATURE_KINDS = [...SIGNATURE_MEANINGS, 'rejected'] as const;
export type SignatureKind = (typeof SIGNATURE_KINDS)[number];

/** Document keys: POL-ISMS, PRC-DSR, PLN-62304-SDP (upper case, digits, hyphen-separated parts). */
export const DOCUMENT_KEY = /^[A-Z][A-Z0-9]{1,9}(-[A-Z0-9]{1,12}){0,4}$/;

export const DOCUMENT_LIMITS = {
  title: 200,
  /** Markdown of one version: 512 KB is a long policy manual many times over. */
  content: 512 * 1024,
  changeSummary: 2000,
  reason: 2000,
  controls: 100,
  audience: 50,
} as const;

/** What moves a version along its lifecycle. */
export type VersionEvent = 'submit' | 'approve' | 'reject' | 'publish' | 'supersede' | 'retire';

/**
 * The lifecycle: draft → in_review (submit) → approved (the type's approvers reached their quorum) →
 * published (effective) → superseded (a newer version was published) or retired. A rejection returns an
 * in-review version to draft. Anything else is refused.
 */
const TRANSITIONS: Record<VersionEvent, Partial<Record<VersionStatus, VersionStatus>>> = {
  submit: { draft: 'in_review' },
  approve: { in_review: 'approved' },
  reject: { in_review: 'draft' },
  publish: { approved: 'published' },
  supersede: { published: 'superseded' },
  retire: { published: 'retired', approved: 'retired' },
};

/** The status after `event`, or null when the event does not apply to a version in `from`. */
export function transition(from: VersionStatus, event: VersionEvent): VersionStatus | null {
  return TRANSITIONS[event][from] ?? null;
}

/** Content (the Markdown, the signed text) may change only while the version is a draft. */
export function contentEditable(status: VersionStatus): boolean {
  return status === 'draft';
}

/** A document has at most one version on its way to publication (draft, in review or approved). */
export function isOpen(status: VersionStatus): boolean {
  return status === 'draft' || status === 'in_review' || status === 'approved';
}

/** SHA-256 (hex) of a version's content as UTF-8: the version's identity and what signatures bind. */
export function contentSha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * When the next review is due: `months` calendar months after the effective day (a day that does not
 * exist in the target month falls back to its last day: 31 Jan + 1 month = 28/29 Feb). Days as YYYY-MM-DD.
 */
export function nextReviewOn(effectiveOn: string, months: number): string {
  return formatDate(addMonths(parseDate(effectiveOn), months));
}
