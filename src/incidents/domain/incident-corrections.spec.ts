import { correctionText } from './incident-corrections';

const base = {
  title: 'Letters to old addresses',
  description: 'x',
  categories: ['personal_data_breach'],
  awareAt: new Date('2026-12-01T16:59:00Z'),
  affectedSystems: [],
  products: [],
  customers: [],
  adverseEventCategory: null,
  fscaStartedAt: null,
  fscaClosedAt: null,
};

describe('correctionText', () => {
  it('shows awareness in the compliance zone (23:59 ICT), categories and the FSCA start old → new; names the rest', () => {
    const after = {
      ...base,
      title: 'Letters to two old addresses',
      categories: ['personal_data_breach', 'clinical_safety'],
      awareAt: new Date('2026-12-01T10:00:00Z'),
      fscaStartedAt: new Date('2026-12-02T01:00:00Z'),
    };
    expect(correctionText(base, after, ['title', 'categories', 'awareAt', 'fscaStartedAt', 'commanderUserId'])).toBe(
      'Facts corrected: title; categories personal_data_breach → personal_data_breach, clinical_safety; ' +
        'awareAt Tue 1 Dec 2026, 23:59 (Asia/Bangkok) → Tue 1 Dec 2026, 17:00 (Asia/Bangkok); ' +
        'fscaStartedAt none → Wed 2 Dec 2026, 08:00 (Asia/Bangkok)',
    );
  });

  it('says nothing when no fact changed (status, severity, commander and risks are not corrections)', () => {
    expect(correctionText(base, base, [])).toBeNull();
    expect(correctionText(base, base, ['commanderUserId', 'riskIds', 'status', 'severity'])).toBeNull();
  });
});
