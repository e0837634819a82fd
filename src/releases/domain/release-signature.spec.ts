import {
  checkGateSignature,
  gateSignatureRecordSha256,
  releaseRecordSha256,
  type GateSignatureBinding,
  type ReleaseRecord,
} from './release-signature';

const release: ReleaseRecord = {
  id: '0b9f3c1e-5a55-4c1b-9d44-1f2d3c4b5a69',
  product: 'patient-platform',
  version: '1.4.0',
  commit: 'a1b2c3d4e5f6',
  builtAt: new Date('2026-12-04T16:59:59.000Z'),
  anomalies: [{ ref: 'BUG-12', title: 'Slow chart load', evaluation: 'No clinical impact' }],
  attachments: [
    { kind: 'test_report', sha256: 'a'.repeat(64) },
    { kind: 'sbom', sha256: 'b'.repeat(64) },
  ],
};

describe('releaseRecordSha256', () => {
  it('does not depend on the order attachments are listed in', () => {
    expect(releaseRecordSha256({ ...release, attachments: [...release.attachments].reverse() })).toBe(
      releaseRecordSha256(release),
    );
  });

  it.each([
    ['a new attachment', { attachments: [...release.attachments, { kind: 'osv' as const, sha256: 'c'.repeat(64) }] }],
    ['another commit', { commit: 'ffffffffffff' }],
    ['a changed anomaly evaluation', { anomalies: [{ ...release.anomalies[0], evaluation: 'Accepted' }] }],
    ['a build time one millisecond later', { builtAt: new Date(release.builtAt.getTime() + 1) }],
    ['another release id', { id: '1b9f3c1e-5a55-4c1b-9d44-1f2d3c4b5a69' }],
  ])('changes with %s', (_what, change) => {
    expect(releaseRecordSha256({ ...release, ...change })).not.toBe(releaseRecordSha256(release));
  });
});

describe('checkGateSignature', () => {
  const releaseSha256 = releaseRecordSha256(release);
  const binding: GateSignatureBinding = {
    releaseId: release.id,
    gateKey: 'qa',
    meaning: 'QA has passed the system tests',
    signerUserId: '5d0c7f0e-3f7b-4a8e-9a57-2a1c3f2e1d00',
    signedAt: new Date('2026-12-05T03:00:00.000Z'),
    releaseSha256,
    reportSha256: null,
  };
  const signed = { ...binding, recordSha256: gateSignatureRecordSha256(binding) };

  it('is valid for the release as signed', () => {
    expect(checkGateSignature(signed, releaseSha256)).toBe('valid');
  });

  it('is stale once the release changed after signing', () => {
    const changed = releaseRecordSha256({
      ...release,
      attachments: [...release.attachments, { kind: 'changelog', sha256: 'd'.repeat(64) }],
    });
    expect(checkGateSignature(signed, changed)).toBe('stale');
  });

  it.each([
    ['gate', { gateKey: 'clinical_signoff' }],
    ['signer', { signerUserId: '6d0c7f0e-3f7b-4a8e-9a57-2a1c3f2e1d00' }],
    ['time', { signedAt: new Date('2026-12-05T03:00:00.001Z') }],
    ['report', { reportSha256: 'e'.repeat(64) }],
  ])('is broken when the row names another %s than the record hash covers', (_what, edit) => {
    expect(checkGateSignature({ ...signed, ...edit }, releaseSha256)).toBe('broken');
  });
});
