import type { CatalogControl } from './catalog-model';
import { changedFields, controlContent, controlHash } from './content-hash';

const control = (over: Partial<CatalogControl> = {}): CatalogControl => ({
  key: 'PRV-01',
  title: 'DSRs answered within 7 days',
  description: 'd',
  owner: 'privacy',
  cadence: 'weekly',
  maxIntervalDays: null,
  evidence: ['register'],
  collector: null,
  maps: { pdpa: ['s30', 's33'], soc2: ['P5.1'] },
  position: 0,
  file: 'controls/privacy.yaml',
  ...over,
});

describe('catalog content hashes', () => {
  it('ignore position, file and the order of mapped refs', () => {
    expect(
      controlHash(
        control({ position: 9, file: 'controls/other.yaml', maps: { soc2: ['P5.1'], pdpa: ['s33', 's30'] } }),
      ),
    ).toBe(controlHash(control()));
  });

  it.each([
    ['title', { title: 'DSRs answered within 5 days' }],
    ['owner', { owner: 'support' }],
    ['cadence', { cadence: 'monthly' as const }],
    ['maps', { maps: { pdpa: ['s30'] } }],
    ['evidence', { evidence: ['register', 'drill report'] }],
    ['collector', { collector: 'dsr-register' }],
    ['maxIntervalDays', { maxIntervalDays: 365 }],
  ])('change when %s changes, and name it', (field, over) => {
    expect(controlHash(control(over))).not.toBe(controlHash(control()));
    expect(changedFields(controlContent(control()), controlContent(control(over)))).toEqual([field]);
  });

  it('a control without a maximum interval hashes as before the event cadence existed (no version bump on upgrade)', () => {
    const { maxIntervalDays: _none, ...rest } = controlContent(control());
    expect(controlContent(control())).toEqual(rest);
    expect('maxIntervalDays' in controlContent(control())).toBe(false);
  });
});
