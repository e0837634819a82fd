import { acceptanceHolds, acceptanceSha256, type AcceptanceBinding } from './finding-model';

const binding: AcceptanceBinding = {
  findingId: '00000000-0000-4000-8000-000000000001',
  fingerprint: 'GHSA-aaaa-bbbb-cccc:lodash',
  severity: 'high',
  title: 'Prototype pollution',
  reason: 'not reachable',
  expiresOn: '2026-12-31',
  meaning: 'I accept',
  signerUserId: '00000000-0000-4000-8000-000000000002',
  signedAt: new Date('2026-12-01T03:00:00Z'),
};

describe('acceptanceSha256', () => {
  it('is the same for the same acceptance and changes with any bound field', () => {
    const h = acceptanceSha256(binding);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(acceptanceSha256({ ...binding })).toBe(h);
    expect(acceptanceSha256({ ...binding, expiresOn: '2027-01-01' })).not.toBe(h);
    expect(acceptanceSha256({ ...binding, reason: 'other' })).not.toBe(h);
    expect(acceptanceSha256({ ...binding, signedAt: new Date('2026-12-01T03:00:01Z') })).not.toBe(h);
  });
});

describe('acceptanceHolds', () => {
  it.each([
    ['2026-12-30', true],
    ['2026-12-31', true],
    ['2027-01-01', false],
  ])('on %s: %s (expires 2026-12-31, its last day)', (today, holds) => {
    expect(acceptanceHolds('2026-12-31', today)).toBe(holds);
  });
});
