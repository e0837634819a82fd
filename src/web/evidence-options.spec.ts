import { evidenceOption, evidenceWhere } from './evidence-options';

const item = (evidenceDate: string) => ({
  id: 'e1',
  title: 'Access review',
  controls: ['ACC-01', 'ACC-02'],
  evidenceDate,
});

describe('evidence as a form offers it', () => {
  it('names the day in the compliance zone, not the UTC day of the stored instant', () => {
    expect(evidenceWhere(item('2026-11-19T17:00:00.000Z'))).toBe('ACC-01, ACC-02 · 2026-11-20'); // 00:00 in Bangkok
    expect(evidenceWhere(item('2026-11-20T16:59:59.999Z'))).toBe('ACC-01, ACC-02 · 2026-11-20'); // 23:59:59 in Bangkok
    expect(evidenceWhere(item('2026-11-20T17:00:00.000Z'))).toBe('ACC-01, ACC-02 · 2026-11-21');
  });

  it('offers the id, labelled by title, controls and day', () => {
    expect(evidenceOption(item('2026-11-19T17:00:00.000Z'))).toEqual({
      value: 'e1',
      label: 'Access review — ACC-01, ACC-02 · 2026-11-20',
    });
  });
});
