// Signed checkpoints of the audit trail, in the text format of C2SP tlog-checkpoint / signed-note
// (https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md, signed-note.md), so any note verifier can check them:
//
//   attest/audit-trail                                  origin: which log
//   1234                                                size: entries in the log = seq of its head
//   q1b3…=                                              base64 of the head's 32-byte hash (a chain head, not a Merkle root)
//   time 2026-01-05T03:00:00.000Z                       extension line: when it was signed
//                                                       blank line
//   — attest/audit-trail <base64(key id ‖ signature)>   Ed25519 over the text above the blank line
//
// key id = first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key).
// Pure apart from node:crypto.
import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

export const CHECKPOINT_ORIGIN = 'attest/audit-trail';
/** Name of the signing key in signature lines (signed-note key names: no spaces, no '+'). */
export const CHECKPOINT_KEY_NAME = 'attest/audit-trail';
const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_ALGORITHM = 0x01;

export interface Checkpoint {
  origin: string;
  /** Entries in the log when it was signed = seq of the head. */
  seq: number;
  /** Hex hash of entry `seq`. */
  hash: string;
  time: Date | null;
}

export interface NoteSignature {
  keyName: string;
  keyId: Buffer;
  signature: Buffer;
}

export interface SignedNote {
  /** The signed text (everything above the blank line, with its final newline). */
  body: string;
  signatures: NoteSignature[];
}

export interface ParsedCheckpoint extends SignedNote {
  checkpoint: Checkpoint;
}

export type SignatureCheck = 'valid' | 'not_signed_by_key' | 'invalid_signature';

export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new CheckpointFormatError('the key is not an Ed25519 key');
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

/** signed-note key id: SHA-256(name ‖ '\n' ‖ 0x01 ‖ public key)[:4]. */
export function keyId(keyName: string, publicKey: KeyObject): Buffer {
  return createHash('sha256')
    .update(Buffer.from(keyName, 'utf8'))
    .update(Buffer.from([0x0a, ED25519_ALGORITHM]))
    .update(rawPublicKey(publicKey))
    .digest()
    .subarray(0, 4);
}

/** The signed text of a checkpoint. */
export function checkpointBody(c: { seq: number; hash: string; time: Date }, origin = CHECKPOINT_ORIGIN): string {
  if (!Number.isSafeInteger(c.seq) || c.seq < 0) throw new CheckpointFormatError(`size ${c.seq} is not a whole number`);
  if (!/^[0-9a-f]{64}$/.test(c.hash)) throw new CheckpointFormatError('the hash must be 64 lower-case hex digits');
  return `${origin}\n${c.seq}\n${Buffer.from(c.hash, 'hex').toString('base64')}\ntime ${c.time.toISOString()}\n`;
}

/** A signed note: the text, a blank line, one signature line by this key. */
export function signNote(body: string, privateKey: KeyObject, keyName: string): string {
  if (privateKey.type !== 'private') throw new CheckpointFormatError('signing needs the private key');
  if (!body.endsWith('\n') || body.includes('\n\n'))
    throw new CheckpointFormatError('a note text ends with a newline and has no blank line');
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  const id = keyId(keyName, createPublicKey(privateKey));
  return `${body}\n${SIGNATURE_PREFIX}${keyName} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** The whole checkpoint note, signed with the audit-trail key. */
export function signCheckpoint(body: string, privateKey: KeyObject): string {
  return signNote(body, privateKey, CHECKPOINT_KEY_NAME);
}

/** Splits a signed note into its text and signature lines; throws CheckpointFormatError. */
export function parseNote(text: string): SignedNote {
  if (!text.endsWith('\n')) throw new CheckpointFormatError('it does not end with a newline');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw new CheckpointFormatError('it has no blank line before its signatures');
  const body = text.slice(0, split + 1);
  const signatures: NoteSignature[] = [];
  for (const line of text.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!m) throw new CheckpointFormatError('a signature line is malformed');
    const bytes = Buffer.from(m[2], 'base64');
    if (bytes.length < 5) throw new CheckpointFormatError('a signature line is too short');
    signatures.push({ keyName: m[1], keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) });
  }
  return { body, signatures };
}

/** Parses a checkpoint note; throws CheckpointFormatError saying what is wrong. */
export function parseCheckpoint(text: string): ParsedCheckpoint {
  const { body, signatures } = parseNote(text);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointFormatError('it needs an origin, a size and a hash line');
  const [origin, size, hash64, ...extensions] = lines;
  if (origin === '') throw new CheckpointFormatError('its origin line is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new CheckpointFormatError(`its size line "${size}" is not a whole number`);
  const hashBytes = Buffer.from(hash64, 'base64');
  if (hashBytes.length !== 32 || hashBytes.toString('base64') !== hash64)
    throw new CheckpointFormatError('its hash line is not the base64 of 32 bytes');
  let time: Date | null = null;
  for (const line of extensions) {
    if (line === '') throw new CheckpointFormatError('it has an empty extension line');
    const m = /^time (\S+)$/.exec(line);
    if (m) {
      time = new Date(m[1]);
      if (Number.isNaN(time.getTime())) throw new CheckpointFormatError(`its time line "${line}" is not a time`);
    }
  }
  return { checkpoint: { origin, seq: Number(size), hash: hashBytes.toString('hex'), time }, body, signatures };
}

/**
 * Whether the checkpoint carries a valid signature by this key. Signatures by other keys are ignored
 * (C2SP: verifiers ignore unknown signatures), so a checkpoint with only foreign ones is "not signed by key".
 */
export function checkSignature(
  parsed: SignedNote,
  publicKey: KeyObject,
  keyName = CHECKPOINT_KEY_NAME,
): SignatureCheck {
  const id = keyId(keyName, publicKey);
  const ours = parsed.signatures.filter((s) => s.keyName === keyName && s.keyId.equals(id));
  if (ours.length === 0) return 'not_signed_by_key';
  const body = Buffer.from(parsed.body, 'utf8');
  return ours.some((s) => s.signature.length === 64 && verify(null, body, publicKey, s.signature))
    ? 'valid'
    : 'invalid_signature';
}
