import { contentSha256 } from './document-model';
import {
  signatureRecordSha256,
  verifySignature,
  type SignatureBinding,
  type SignedVersion,
} from './document-signature';

const v1: SignedVersion = {
  id: 'v1-id',
  documentKey: 'POL-ISMS',
  number: 1,
  content: '# Policy\n\nAll laptops are encrypted.\n',
};
const v2: SignedVersion = {
  ...v1,
  id: 'v2-id',
  number: 2,
  content: '# Policy\n\nAll laptops and phones are encrypted.\n',
};

function signed(v: SignedVersion, extra: Partial<SignatureBinding> = {}) {
  const binding: SignatureBinding = {
    documentKey: v.documentKey,
    versionId: v.id,
    versionNumber: v.number,
    versionSha256: contentSha256(v.content),
    signerUserId: 'user-1',
    meaning: 'approved',
    signedAt: new Date('2026-03-02T03:04:05.678Z'),
    reason: null,
    ...extra,
  };
  return { ...binding, recordSha256: signatureRecordSha256(binding) };
}

describe('verifySignature', () => {
  it('holds for the version it was made on', () => {
    expect(verifySignature(signed(v1), v1)).toBe(true);
  });

  it('does not hold for another version, even of the same document', () => {
    expect(verifySignature(signed(v1), v2)).toBe(false);
    // Relabelled to the other version: the content hash and the record hash give it away.
    const moved = { ...signed(v1), versionId: v2.id, versionNumber: 2 };
    expect(verifySignature(moved, v2)).toBe(false);
    const recomputed = { ...moved, recordSha256: signatureRecordSha256(moved) };
    expect(verifySignature(recomputed, v2)).toBe(false); // v2's content is not what was signed
  });

  it('does not hold once the content changed under it', () => {
    expect(verifySignature(signed(v1), { ...v1, content: v1.content + ' ' })).toBe(false);
  });

  it('binds signer, time and meaning: changing any breaks the record hash', () => {
    const s = signed(v1);
    expect(verifySignature({ ...s, signerUserId: 'user-2' }, v1)).toBe(false);
    expect(verifySignature({ ...s, signedAt: new Date('2026-03-02T03:04:05.679Z') }, v1)).toBe(false);
    expect(verifySignature({ ...s, meaning: 'reviewed' }, v1)).toBe(false);
    expect(verifySignature({ ...s, reason: 'x' }, v1)).toBe(false);
  });

  it('the record hash is stable for the same binding', () => {
    expect(signed(v1).recordSha256).toBe(signed(v1).recordSha256);
    expect(signed(v1).recordSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
