// Signed release gates (21 CFR 11.50/11.70-style, as document signatures): a signature binds its signer,
// time, the gate and its meaning, and the SHA-256 of the release record as it stood — product, version,
// commit, build time, known anomalies and the hash of every attachment — so a test report or SBOM attached
// after QA signed makes that signature stale, and a signature cannot be moved to another release. The
// clause 9 review also binds the risk management report's SHA-256. Pure.
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { AttachmentKind } from './release-model';

/** The parts of a release that its signatures cover. */
export interface ReleaseRecord {
  id: string;
  product: string;
  version: string;
  commit: string;
  builtAt: Date;
  anomalies: { ref: string; title: string; evaluation: string }[];
  attachments: { kind: AttachmentKind; sha256: string }[];
}

function sha256OfJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('a signed record must be JSON');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of the canonical JSON (RFC 8785) of the release record; attachments in a fixed order. */
export function releaseRecordSha256(r: ReleaseRecord): string {
  const attachments = [...r.attachments].sort((a, b) =>
    a.kind === b.kind ? a.sha256.localeCompare(b.sha256) : a.kind.localeCompare(b.kind),
  );
  return sha256OfJson({
    id: r.id,
    product: r.product,
    version: r.version,
    commit: r.commit,
    builtAt: r.builtAt.toISOString(),
    anomalies: r.anomalies.map((a) => ({ ref: a.ref, title: a.title, evaluation: a.evaluation })),
    attachments: attachments.map((a) => ({ kind: a.kind, sha256: a.sha256 })),
  });
}

/** Everything a gate signature binds. */
export interface GateSignatureBinding {
  releaseId: string;
  gateKey: string;
  meaning: string;
  signerUserId: string;
  signedAt: Date;
  releaseSha256: string;
  reportSha256: string | null;
}

/** The record hash: SHA-256 of the canonical JSON of the binding. */
export function gateSignatureRecordSha256(b: GateSignatureBinding): string {
  return sha256OfJson({
    releaseId: b.releaseId,
    gateKey: b.gateKey,
    meaning: b.meaning,
    signerUserId: b.signerUserId,
    signedAt: b.signedAt.toISOString(),
    releaseSha256: b.releaseSha256,
    reportSha256: b.reportSha256,
  });
}

export type GateSignatureCheck = 'valid' | 'stale' | 'broken';

/**
 * Whether a stored signature still counts: `broken` when its record hash no longer covers what the row
 * says (edited outside the application), `stale` when the release changed after it was signed (the
 * release record's hash now differs), `valid` otherwise.
 */
export function checkGateSignature(
  sig: GateSignatureBinding & { recordSha256: string },
  currentReleaseSha256: string,
): GateSignatureCheck {
  if (sig.recordSha256 !== gateSignatureRecordSha256(sig)) return 'broken';
  return sig.releaseSha256 === currentReleaseSha256 ? 'valid' : 'stale';
}
