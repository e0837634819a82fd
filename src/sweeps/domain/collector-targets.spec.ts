// Which controls a collector's snapshot is attached to: by `collector:` and by requirement mapping.
import { collectorTargets, RequirementMappings } from './collector-targets';

const c = (id: string, collector: string | null = null) => ({ id, key: id.toUpperCase(), collector });
const CONTROLS = [
  c('named', 'risk-review'),
  c('iso10'),
  c('iso10sub'),
  c('iso9'),
  c('iso8'),
  c('iso1'),
  c('cc31'),
  c('cc34'),
  c('cc4'),
  c('cc30x'),
  c('other', 'posture'),
  c('none'),
];
const MAPPINGS: RequirementMappings = [
  {
    framework: 'iso14971',
    requirements: [
      { ref: '10', controlIds: ['iso10'] },
      { ref: '10.3', controlIds: ['iso10sub', 'iso10'] },
      { ref: '9', controlIds: ['iso9'] },
      { ref: '8', controlIds: ['iso8'] },
      { ref: '1', controlIds: ['iso1'] },
    ],
  },
  {
    framework: 'soc2',
    requirements: [
      { ref: 'CC3.1', controlIds: ['cc31', 'iso10'] },
      { ref: 'CC3.4', controlIds: ['cc34'] },
      { ref: 'CC4.1', controlIds: ['cc4'] },
      { ref: 'CC30.1', controlIds: ['cc30x'] },
    ],
  },
  { framework: 'samd', requirements: [{ ref: '10', controlIds: ['none'] }] },
];

describe('collectorTargets', () => {
  it('risk-review: the controls naming it, and every control mapped to ISO 14971 clause 10 or SOC 2 CC3.x, each once, in catalog order', () => {
    expect(collectorTargets('risk-review', CONTROLS, MAPPINGS).map((t) => t.id)).toEqual([
      'named',
      'iso10',
      'iso10sub',
      'cc31',
      'cc34',
    ]);
  });
  it('never targets a control for ISO 14971 clause 9: the quarterly review is not the review before release (the risk management report)', () => {
    expect(collectorTargets('risk-review', CONTROLS, MAPPINGS).map((t) => t.id)).not.toContain('iso9');
  });
  it('leaves out clauses 8 and 1 (no "1…" prefix match), CC4.x, a CC30 lookalike, and clause 10 of another framework', () => {
    const ids = collectorTargets('risk-review', CONTROLS, MAPPINGS).map((t) => t.id);
    for (const out of ['iso8', 'iso1', 'cc4', 'cc30x', 'none', 'other']) expect(ids).not.toContain(out);
  });
  it('a collector without requirement rules targets only the controls naming it', () => {
    expect(collectorTargets('posture', CONTROLS, MAPPINGS).map((t) => t.id)).toEqual(['other']);
    expect(collectorTargets('user-roster', CONTROLS, MAPPINGS)).toEqual([]);
  });
  it('a mapped control that is not live (not in the list) is not a target', () => {
    expect(
      collectorTargets(
        'risk-review',
        CONTROLS.filter((x) => x.id !== 'cc34'),
        MAPPINGS,
      ).map((t) => t.id),
    ).toEqual(['named', 'iso10', 'iso10sub', 'cc31']);
  });
});
