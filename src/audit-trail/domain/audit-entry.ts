// The content of an audit-trail entry, its canonical bytes (RFC 8785) and its chain hash.
// Pure: no Nest, no TypeORM. node:crypto only for SHA-256.
import canonicalize from 'canonicalize';
import { createHash, hash } from 'node:crypto';
import type { AuditAction } from './audit-actions';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * T when every value in it is JSON: strings, numbers, booleans, null, arrays and plain objects, interfaces
 * included (TypeScript does not widen an interface to an index signature, hence this type). A Date, a
 * Buffer or a function anywhere inside turns that part into never, so toJsonObject() refuses it at compile
 * time. Undefined is allowed: a property holding it is left out of the JSON, as JSON.stringify does.
 */
export type JsonShaped<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends Date | Uint8Array | ((...args: never[]) => unknown)
    ? never
    : T extends readonly (infer U)[]
      ? readonly JsonShaped<U>[]
      : T extends object
        ? { [K in keyof T]: JsonShaped<T[K]> }
        : never;

/** A value the type system has checked is JSON, as the JsonObject the trail and evidence take (not copied). */
export function toJsonObject<T extends object>(value: T & JsonShaped<T>): JsonObject {
  // The one widening: JsonShaped<T> proved every property is JSON; only the index signature is missing.
  return value as unknown as JsonObject;
}

/** prev_hash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** Largest canonical text accepted for one entry: the trail records facts and references, not documents. */
export const MAX_CANONICAL_BYTES = 16 * 1024;

/** What a caller records. `data` holds ids, counts, states: never secrets, never names or e-mail addresses. */
export interface AuditEntryInput {
  /** Pseudonymous actor reference, from actorRef(): `user:<uuid>`, `system:<name>` or `anonymous`. */
  actor: string;
  /** `<area>.<verb>` in lower case, one of AUDIT_ACTIONS (e.g. `auth.login`, `user.create`). */
  action: AuditAction;
  /** The kind of thing acted on, e.g. `User`, `Evidence`, `AuditPack`. */
  subjectType: string;
  subjectId?: string | null;
  data?: JsonObject;
}

/** Everything that is hashed for one entry. */
export interface AuditEntryContent {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data: JsonObject;
}

/** The canonical content as it comes back out of the stored text (`at` stays an ISO string). */
export interface ParsedEntryContent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  data: JsonObject;
}

/** A caller handed the trail something it must not hold: a programming error, never user input. */
export class InvalidAuditEntryError extends Error {
  constructor(message: string) {
    super(`invalid audit-trail entry: ${message}`);
    this.name = 'InvalidAuditEntryError';
  }
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const ACTOR = /^(anonymous|user:[^\s]+|system:[^\s]+)$/;
const SUBJECT_TYPE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Keys that name a secret, compared without case, `_` and `-`. */
const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'authorization',
  'cookie',
  'session',
  'sessionid',
  'privatekey',
  'otp',
  'totp',
  'pin',
]);
/** A value that is an e-mail address (personal data): record `user:<id>` instead. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function checkData(value: unknown, path: string): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (EMAIL.test(value))
      throw new InvalidAuditEntryError(
        `${path} looks like an e-mail address; record a pseudonymous reference (e.g. user:<id>) instead`,
      );
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidAuditEntryError(`${path} is not a finite number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkData(v, `${path}[${i}]`));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      const normalised = key.toLowerCase().replace(/[_-]/g, '');
      if (SECRET_KEYS.has(normalised) || normalised.includes('password') || normalised.includes('secret')) {
        throw new InvalidAuditEntryError(`${path}.${key} looks like a secret; the audit trail must never hold secrets`);
      }
      if (v === undefined)
        throw new InvalidAuditEntryError(`${path}.${key} is undefined; leave the key out or use null`);
      checkData(v, `${path}.${key}`);
    }
    return;
  }
  throw new InvalidAuditEntryError(`${path} is not JSON data (${value === undefined ? 'undefined' : typeof value})`);
}

/** Throws InvalidAuditEntryError for anything the trail must not record. */
export function assertValidEntry(input: AuditEntryInput): void {
  if (!ACTOR.test(input.actor))
    throw new InvalidAuditEntryError(
      `actor "${input.actor}" is not a pseudonymous reference (user:<id>, system:<name> or anonymous)`,
    );
  if (!ACTION.test(input.action))
    throw new InvalidAuditEntryError(`action "${input.action}" must look like area.verb in lower case`);
  if (!SUBJECT_TYPE.test(input.subjectType))
    throw new InvalidAuditEntryError(`subjectType "${input.subjectType}" must be a type name like User or Evidence`);
  if (
    input.subjectId !== undefined &&
    input.subjectId !== null &&
    (typeof input.subjectId !== 'string' || input.subjectId === '' || input.subjectId.length > 200)
  ) {
    throw new InvalidAuditEntryError('subjectId must be a non-empty string of at most 200 characters, or null');
  }
  if (input.data !== undefined && !isPlainObject(input.data))
    throw new InvalidAuditEntryError('data must be a plain object');
  checkData(input.data ?? {}, 'data');
}

/** RFC 8785 canonical JSON of the entry: the exact text that is hashed and stored. */
export function canonicalEntry(content: AuditEntryContent): string {
  if (!Number.isSafeInteger(content.seq) || content.seq < 1)
    throw new InvalidAuditEntryError(`seq ${content.seq} is not a positive integer`);
  if (Number.isNaN(content.at.getTime())) throw new InvalidAuditEntryError('at is not a valid time');
  const text = canonicalize({
    seq: content.seq,
    at: content.at.toISOString(),
    actor: content.actor,
    action: content.action,
    subjectType: content.subjectType,
    subjectId: content.subjectId,
    data: content.data,
  }) as string;
  if (Buffer.byteLength(text, 'utf8') > MAX_CANONICAL_BYTES) {
    throw new InvalidAuditEntryError(
      `the entry is larger than ${MAX_CANONICAL_BYTES} bytes; record references, not documents`,
    );
  }
  return text;
}

/** The content back from a stored canonical text, or null when it is not an entry. */
export function parseCanonicalEntry(text: string): ParsedEntryContent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  const { seq, at, actor, action, subjectType, subjectId, data } = value;
  if (typeof seq !== 'number' || typeof at !== 'string' || typeof actor !== 'string' || typeof action !== 'string')
    return null;
  if (typeof subjectType !== 'string' || (subjectId !== null && typeof subjectId !== 'string') || !isPlainObject(data))
    return null;
  return { seq, at, actor, action, subjectType, subjectId, data: data as JsonObject };
}

/** hex SHA-256(prev hash as its 32 raw bytes ‖ canonical text as UTF-8). */
export function chainHash(prevHash: string, canonical: string): string {
  if (!/^[0-9a-f]{64}$/.test(prevHash)) throw new InvalidAuditEntryError('prevHash must be 64 lower-case hex digits');
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(canonical, 'utf8').digest('hex');
}

/**
 * chainHash() for walking a chain, entry after entry, with as little per-entry work as possible: one
 * one-shot SHA-256 over a reused buffer (prev hash bytes ‖ canonical UTF-8), no Hash object, and the hex
 * check skipped for the hash it computed itself the step before. Same results as chainHash().
 */
export function chainHasher(): (prevHash: string, canonical: string) => string {
  let buf = Buffer.allocUnsafe(64 * 1024);
  let last = '';
  return (prevHash, canonical) => {
    if (prevHash !== last && !/^[0-9a-f]{64}$/.test(prevHash))
      throw new InvalidAuditEntryError('prevHash must be 64 lower-case hex digits');
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (canonical.length * 3 > buf.length - 32) buf = Buffer.allocUnsafe(canonical.length * 3 + 32);
    buf.write(prevHash, 0, 'hex');
    const n = buf.write(canonical, 32, 'utf8');
    return (last = hash('sha256', buf.subarray(0, 32 + n), 'hex'));
  };
}

/** The content an entry is stored and hashed as: its place, its time and what was appended. */
function entryContent(seq: number, input: AuditEntryInput, at: Date): AuditEntryContent {
  return {
    seq,
    at,
    actor: input.actor,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId ?? null,
    data: input.data ?? {},
  };
}

/** The stored form of the next entry after `head` (null for the first entry). */
export function nextEntry(
  head: { seq: number; hash: string } | null,
  input: AuditEntryInput,
  at: Date,
): { content: AuditEntryContent; canonical: string; prevHash: string; hash: string } {
  assertValidEntry(input);
  const content = entryContent(head ? head.seq + 1 : 1, input, at);
  const canonical = canonicalEntry(content);
  const prevHash = head ? head.hash : GENESIS_HASH;
  return { content, canonical, prevHash, hash: chainHash(prevHash, canonical) };
}

/**
 * The stored forms of consecutive entries after `head`, all at `at`: exactly what nextEntry() gives applied
 * one after the other (same seqs, canonical texts, links and hashes), with each entry checked once and
 * the chain hashed by chainHasher() (a batch append of thousands of entries, e.g. a catalog sync).
 */
export function nextEntries(
  head: { seq: number; hash: string } | null,
  inputs: readonly AuditEntryInput[],
  at: Date,
): { content: AuditEntryContent; canonical: string; prevHash: string; hash: string }[] {
  inputs.forEach(assertValidEntry);
  const hashNext = chainHasher();
  let seq = head ? head.seq : 0;
  let prevHash = head ? head.hash : GENESIS_HASH;
  return inputs.map((input) => {
    const content = entryContent(++seq, input, at);
    const canonical = canonicalEntry(content);
    const entry = { content, canonical, prevHash, hash: hashNext(prevHash, canonical) };
    prevHash = entry.hash;
    return entry;
  });
}
