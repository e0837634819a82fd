// Electronic signatures on document versions (21 CFR 11.50/11.70-style): a signature names its signer,
// the time, the meaning, and the SHA-256 of the version's content, and its own record hash covers all of
// them with the version's id, so it cannot be moved to another version or to changed content. Pure.
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { contentSha256, type SignatureKind } from './document-model';

/** Everything a signature record binds. */
export interface SignatureBinding {
  documentKey: string;
  versionId: string;
  versionNumber: number;
  /** SHA-256 of the signed version's content. */
  versionSha256: string;
  signerUserId: string;
  meaning: SignatureKind;
  signedAt: Date;
  /** A rejection's reason; null for a signature. */
  reason: string | null;
}

/** The record hash: SHA-256 of the canonical JSON (RFC 8785) of the binding. */
export function signatureRecordSha256(b: SignatureBinding): string {
  const text = canonicalize({
    documentKey: b.documentKey,
    versionId: b.versionId,
    versionNumber: b.versionNumber,
    versionSha256: b.versionSha256,
    signerUserId: b.signerUserId,
    meaning: b.meaning,
    signedAt: b.signedAt.toISOString(),
    reason: b.reason,
  });
  if (text === undefined) throw new Error('a signature binding must be JSON');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A signature as stored: its binding and its record hash. */
export interface SignatureRecord extends SignatureBinding {
  recordSha256: string;
}

/** The version a signature is checked against: its identity and its content as stored now. */
export interface SignedVersion {
  id: string;
  documentKey: string;
  number: number;
  content: string;
}

/**
 * Whether the signature holds for this version: it names this version (id, key and number), the content's
 * SHA-256 recomputed now is the one signed, and the record hash still covers what the record says.
 */
export function verifySignature(sig: SignatureRecord, version: SignedVersion): boolean {
  return (
    sig.versionId === version.id &&
    sig.documentKey === version.documentKey &&
    sig.versionNumber === version.number &&
    sig.versionSha256 === contentSha256(version.content) &&
    sig.recordSha256 === signatureRecordSha256(sig)
  );
}
