// Data subject request lifecycle and subject identity: pure rules.
import type { FieldProblem } from '../../common/errors/app-error';
import type { DsrRight } from './dsr-clocks';

/** The keys a data subject is found by in every data system. */
export interface SubjectKeys {
  /** Lower-cased, trimmed. */
  email: string | null;
  /** Digits only, with country code for Thai numbers (e.g. 66812345678). */
  phone: string | null;
  /** Thai national id: 13 digits. */
  nationalId: string | null;
}

export const DSR_STATUSES = ['received', 'verified', 'in_progress', 'completed', 'rejected'] as const;
export type DsrStatus = (typeof DSR_STATUSES)[number];

export const DSR_CHANNELS = ['web', 'email', 'phone', 'letter', 'in_person', 'drill'] as const;
/** The channels a person records a request through (a drill's requests are made by the drill itself). */
export const FORM_CHANNELS = DSR_CHANNELS.filter((c) => c !== 'drill');
export type DsrChannel = (typeof DSR_CHANNELS)[number];

export const VERIFICATION_METHODS = [
  'id_document',
  'email_link',
  'phone_callback',
  'in_person',
  'account_login',
  'synthetic',
] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** Who the request is about. Encrypted at rest; only the privacy officer (and admin) reads it. */
export interface SubjectIdentity {
  name: string;
  email: string | null;
  phone: string | null;
  nationalId: string | null;
}

/** Who asked, when it is not the subject (a representative). */
export interface Requester {
  name: string;
  contact: string;
  relationship: string;
}

/** The encrypted part of a request. */
export interface ProtectedDetails {
  subject: SubjectIdentity;
  requester: Requester | null;
  /** Rectification: column → new value. */
  changes: Record<string, string> | null;
}

const OPEN: readonly DsrStatus[] = ['received', 'verified', 'in_progress'];
export const isOpen = (status: DsrStatus): boolean => OPEN.includes(status);

/** The statuses a request may move to from each status. */
const TRANSITIONS: Record<DsrStatus, readonly DsrStatus[]> = {
  received: ['verified', 'rejected'],
  verified: ['in_progress', 'completed', 'rejected'],
  in_progress: ['completed', 'rejected'],
  completed: [],
  rejected: [],
};

export function canMove(from: DsrStatus, to: DsrStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Which connector operation executes each right (the others are export or erase). */
export function updateKindFor(right: DsrRight): 'rectify' | 'restrict' | null {
  if (right === 'rectification') return 'rectify';
  if (right === 'restriction' || right === 'objection' || right === 'withdraw_consent') return 'restrict';
  return null;
}

const MAX_TEXT = 500;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Strips everything but digits; Thai numbers written 0XXXXXXXXX become 66XXXXXXXXX. */
export function normalisePhone(raw: string): string {
  const digits = raw.replace(/\D/g, '');
  return digits.startsWith('0') && digits.length === 10 ? `66${digits.slice(1)}` : digits;
}

/** A Thai national id: 13 digits whose last is the mod-11 check digit of the first 12. */
export function isThaiNationalId(id: string): boolean {
  if (!/^\d{13}$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(id[i]) * (13 - i);
  return (11 - (sum % 11)) % 10 === Number(id[12]);
}

/** Validates and normalises a subject; problems name `subject.<field>`. */
export function checkSubject(
  input: { name?: unknown; email?: unknown; phone?: unknown; nationalId?: unknown },
  problems: FieldProblem[],
  prefix = 'subject',
): SubjectIdentity {
  const text = (v: unknown): string | null =>
    typeof v === 'string' && v.trim() !== '' ? v.trim().normalize('NFC') : null;
  const name = text(input.name);
  const email = text(input.email)?.toLowerCase() ?? null;
  const phoneRaw = text(input.phone);
  const nationalIdRaw = text(input.nationalId);
  if (!name) problems.push({ field: `${prefix}.name`, message: 'is required' });
  else if (name.length > MAX_TEXT)
    problems.push({ field: `${prefix}.name`, message: `must be at most ${MAX_TEXT} characters` });
  if (email !== null && (!EMAIL.test(email) || email.length > 254))
    problems.push({ field: `${prefix}.email`, message: 'must be an e-mail address' });
  const phone = phoneRaw === null ? null : normalisePhone(phoneRaw);
  if (phone !== null && (phone.length < 8 || phone.length > 15))
    problems.push({ field: `${prefix}.phone`, message: 'must be a phone number of 8 to 15 digits' });
  const nationalId = nationalIdRaw === null ? null : nationalIdRaw.replace(/[\s-]/g, '');
  if (nationalId !== null && !/^\d{13}$/.test(nationalId))
    problems.push({ field: `${prefix}.nationalId`, message: 'must be a 13-digit Thai national id' });
  if (email === null && phone === null && nationalId === null)
    problems.push({ field: prefix, message: 'needs at least one of email, phone or nationalId to find the subject' });
  return { name: name ?? '', email, phone, nationalId };
}

/** A rectification's corrected values (column → value); any other right must not carry them. */
export function checkChanges(
  right: DsrRight,
  changes: Record<string, string> | undefined,
  problems: FieldProblem[],
): Record<string, string> | null {
  if (right !== 'rectification') {
    if (changes !== undefined) problems.push({ field: 'changes', message: 'is only for rectification requests' });
    return null;
  }
  if (!changes || Object.keys(changes).length === 0) {
    problems.push({ field: 'changes', message: 'list the corrected values (column → value) for a rectification' });
    return null;
  }
  for (const [k, v] of Object.entries(changes)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(k))
      problems.push({ field: `changes.${k}`, message: 'is not a column name' });
    if (typeof v !== 'string' || v.length > 1000)
      problems.push({ field: `changes.${k}`, message: 'must be text of at most 1000 characters' });
  }
  return changes;
}

export function keysOf(subject: SubjectIdentity): SubjectKeys {
  return { email: subject.email, phone: subject.phone, nationalId: subject.nationalId };
}

/** DSR-2026-00042: year of receipt and a sequence number. */
export function formatReference(receivedAt: Date, seq: number): string {
  return `DSR-${receivedAt.getUTCFullYear()}-${String(seq).padStart(5, '0')}`;
}
