import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import {
  CHECKPOINT_KEY_NAME,
  CHECKPOINT_ORIGIN,
  CheckpointFormatError,
  checkpointBody,
  checkSignature,
  keyId,
  parseCheckpoint,
  parseNote,
  rawPublicKey,
  signCheckpoint,
  signNote,
} from './checkpoint';

// The reference vector of Go's golang.org/x/mod/sumdb/note (note_test.go): its key, text and signature.
// Ed25519 signatures are deterministic, so our notes must match it byte for byte.
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

function goKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  const pub = Buffer.from(GO_VKEY.split('+').slice(2).join('+'), 'base64').subarray(1);
  const seed = Buffer.from(GO_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1);
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: pub.toString('base64url') },
    format: 'jwk',
  });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const HASH = 'ab'.repeat(32);
const TIME = new Date('2026-01-05T03:05:00.000Z');

describe('signed notes (C2SP signed-note)', () => {
  it('computes the key id of the Go reference key', () => {
    const { publicKey } = goKeys();
    expect(rawPublicKey(publicKey)).toEqual(Buffer.from(GO_VKEY.split('+').slice(2).join('+'), 'base64').subarray(1));
    expect(keyId('PeterNeumann', publicKey).toString('hex')).toBe('c74f20a3');
  });

  it('signs exactly as the Go reference implementation does', () => {
    expect(signNote(GO_TEXT, goKeys().privateKey, 'PeterNeumann')).toBe(`${GO_TEXT}\n${GO_SIG}`);
  });

  it('verifies the Go reference note, and nothing edited', () => {
    const { publicKey } = goKeys();
    expect(checkSignature(parseNote(`${GO_TEXT}\n${GO_SIG}`), publicKey, 'PeterNeumann')).toBe('valid');
    expect(
      checkSignature(parseNote(`${GO_TEXT.replace('problem,', 'problem;')}\n${GO_SIG}`), publicKey, 'PeterNeumann'),
    ).toBe('invalid_signature');
  });

  it('refuses to sign a text that would not parse back', () => {
    const { privateKey, publicKey } = goKeys();
    expect(() => signNote('no newline', privateKey, 'k')).toThrow(CheckpointFormatError);
    expect(() => signNote('a\n\nb\n', privateKey, 'k')).toThrow(CheckpointFormatError);
    expect(() => signNote('a\n', publicKey, 'k')).toThrow('signing needs the private key');
  });
});

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  it('has an origin, the size (= head seq), the base64 head hash and the signing time', () => {
    expect(checkpointBody({ seq: 1234, hash: HASH, time: TIME })).toBe(
      `attest/audit-trail\n1234\n${Buffer.from(HASH, 'hex').toString('base64')}\ntime 2026-01-05T03:05:00.000Z\n`,
    );
  });

  it('round-trips through sign and parse, with a valid signature line by the audit-trail key', () => {
    const note = signCheckpoint(checkpointBody({ seq: 42, hash: HASH, time: TIME }), privateKey);
    const lines = note.split('\n');
    expect(lines[4]).toBe('');
    expect(lines[5]).toMatch(new RegExp(`^\u2014 ${CHECKPOINT_KEY_NAME} [A-Za-z0-9+/]+=*$`));
    expect(lines[6]).toBe('');
    const parsed = parseCheckpoint(note);
    expect(parsed.checkpoint).toEqual({ origin: CHECKPOINT_ORIGIN, seq: 42, hash: HASH, time: TIME });
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.signatures[0].keyId).toEqual(keyId(CHECKPOINT_KEY_NAME, publicKey));
    expect(checkSignature(parsed, publicKey)).toBe('valid');
  });

  it('computes key ids as SHA-256(name, newline, 0x01, public key)[:4]', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${CHECKPOINT_KEY_NAME}\n`), Buffer.from([1]), rawPublicKey(publicKey)]))
      .digest()
      .subarray(0, 4);
    expect(keyId(CHECKPOINT_KEY_NAME, publicKey)).toEqual(expected);
  });

  it('is not signed by this key when another key signed it', () => {
    const other = generateKeyPairSync('ed25519');
    const note = signCheckpoint(checkpointBody({ seq: 42, hash: HASH, time: TIME }), other.privateKey);
    expect(checkSignature(parseCheckpoint(note), publicKey)).toBe('not_signed_by_key');
    expect(checkSignature(parseCheckpoint(note), other.publicKey)).toBe('valid');
  });

  it('has an invalid signature when the size, hash or time was edited', () => {
    const note = signCheckpoint(checkpointBody({ seq: 42, hash: HASH, time: TIME }), privateKey);
    for (const edited of [
      note.replace('\n42\n', '\n40\n'),
      note.replace(Buffer.from(HASH, 'hex').toString('base64'), Buffer.from('cd'.repeat(32), 'hex').toString('base64')),
      note.replace('03:05', '03:06'),
    ]) {
      expect(edited).not.toBe(note);
      expect(checkSignature(parseCheckpoint(edited), publicKey)).toBe('invalid_signature');
    }
  });

  it('ignores signatures by other keys next to a valid one (cosignatures)', () => {
    const witness = generateKeyPairSync('ed25519');
    const body = checkpointBody({ seq: 7, hash: HASH, time: TIME });
    const cosigned =
      signCheckpoint(body, privateKey) + signNote(body, witness.privateKey, 'witness.example').split('\n\n')[1];
    const parsed = parseCheckpoint(cosigned);
    expect(parsed.signatures.map((s) => s.keyName)).toEqual([CHECKPOINT_KEY_NAME, 'witness.example']);
    expect(checkSignature(parsed, publicKey)).toBe('valid');
    expect(checkSignature(parsed, witness.publicKey, 'witness.example')).toBe('valid');
  });

  it('accepts a checkpoint without a time line and with unknown extension lines', () => {
    const body = `${CHECKPOINT_ORIGIN}\n5\n${Buffer.from(HASH, 'hex').toString('base64')}\nsomething else\n`;
    expect(parseCheckpoint(signCheckpoint(body, privateKey)).checkpoint).toEqual({
      origin: CHECKPOINT_ORIGIN,
      seq: 5,
      hash: HASH,
      time: null,
    });
  });

  const sig = `\u2014 ${CHECKPOINT_KEY_NAME} ${Buffer.alloc(68, 1).toString('base64')}\n`;
  const hash64 = Buffer.from(HASH, 'hex').toString('base64');
  it.each([
    ['no final newline', `o\n1\n${hash64}\n\n${sig}`.slice(0, -1), /does not end with a newline/],
    ['no blank line', `o\n1\n${hash64}\n${sig}`, /no blank line/],
    ['no signature', `o\n1\n${hash64}\n\n`, /signature line is malformed/],
    ['a malformed signature line', `o\n1\n${hash64}\n\n- key abc\n`, /signature line is malformed/],
    ['a too short signature', `o\n1\n${hash64}\n\n\u2014 k AAAA\n`, /too short/],
    ['too few lines', `o\n1\n\n${sig}`, /needs an origin, a size and a hash line/],
    ['an empty origin', `\n1\n${hash64}\n\n${sig}`, /origin line is empty/],
    ['a size that is not a number', `o\nten\n${hash64}\n\n${sig}`, /size line "ten"/],
    ['a size with a leading zero', `o\n01\n${hash64}\n\n${sig}`, /size line "01"/],
    ['a short hash', `o\n1\n${Buffer.alloc(31).toString('base64')}\n\n${sig}`, /base64 of 32 bytes/],
    ['a hash that is not base64', `o\n1\n${'!'.repeat(44)}\n\n${sig}`, /base64 of 32 bytes/],
    ['a bad time', `o\n1\n${hash64}\ntime yesterday\n\n${sig}`, /time line/],
  ])('rejects a checkpoint with %s', (_what, text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(CheckpointFormatError);
    expect(() => parseCheckpoint(text)).toThrow(message);
  });

  it('refuses to write a body for a bad size or hash', () => {
    expect(() => checkpointBody({ seq: -1, hash: HASH, time: TIME })).toThrow(CheckpointFormatError);
    expect(() => checkpointBody({ seq: 1, hash: 'xyz', time: TIME })).toThrow(CheckpointFormatError);
  });

  it('only handles Ed25519 keys', () => {
    const { publicKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => rawPublicKey(ec)).toThrow('not an Ed25519 key');
  });
});
