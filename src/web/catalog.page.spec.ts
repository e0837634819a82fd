import type { ControlView, FrameworkView, RequirementView } from '../catalog/dto/catalog.dto';
import { ValidationError } from '../common/errors/app-error';
import type { UserView } from '../identity/dto/user.dto';
import { AlreadySupersededError } from '../evidence/evidence.errors';
import type { EvidenceView } from '../evidence/dto/evidence.dto';
import { catalogPage, controlPage, controlsPage, correctionForm, frameworkPage } from './catalog.page';
import { refusedForm } from './incident-forms';

const fw = (key: string) => ({ key, name: key.toUpperCase() }) as FrameworkView;
const req = (ref: string, group: string) => ({ ref, group }) as RequirementView;
const user = (id: string, role: UserView['role']): UserView => ({
  id,
  name: `Name ${id}`,
  role,
  departmentId: 'd-1',
  departmentKey: 'engineering',
  active: true,
});
const control = { key: 'AC-01', title: 'Access reviews', ownerUserId: 'u-owner' } as ControlView;

describe('catalogPage', () => {
  it('puts each framework’s coverage beside it', () => {
    const page = catalogPage([fw('soc2'), fw('pdpa')], [{ framework: 'pdpa', covered: 3 } as any]);
    expect(page.frameworks.map((f) => [f.key, f.coverage?.framework])).toEqual([
      ['soc2', undefined],
      ['pdpa', 'pdpa'],
    ]);
  });
});

describe('frameworkPage', () => {
  it('groups requirements in catalog order, a group split by another appearing twice', () => {
    const page = frameworkPage(
      fw('soc2'),
      [req('CC1.1', 'CC1'), req('CC1.2', 'CC1'), req('A1.1', 'A1'), req('CC1.3', 'CC1')],
      {} as any,
    );
    expect(page.groups.map((g) => [g.name, g.requirements.map((r) => r.ref)])).toEqual([
      ['CC1', ['CC1.1', 'CC1.2']],
      ['A1', ['A1.1']],
      ['CC1', ['CC1.3']],
    ]);
    expect(page.pageTitle).toBe('SOC2');
  });
});

describe('controlsPage', () => {
  it('counts the rows shown and keeps every filter in the paging links', () => {
    const page = controlsPage({
      query: { framework: 'soc2', cadence: 'weekly', owner: 'me', q: 'backup' } as any,
      list: { items: [control], total: 3, limit: 1, offset: 1 },
      frameworks: [],
      departments: [],
    });
    expect([page.from, page.to, page.total]).toEqual([2, 2, 3]);
    expect(page.previous).toBe('?framework=soc2&cadence=weekly&owner=me&q=backup&offset=0');
    expect(page.next).toBe('?framework=soc2&cadence=weekly&owner=me&q=backup&offset=2');
    expect(page.filter).toEqual({ framework: 'soc2', department: '', cadence: 'weekly', mine: true, q: 'backup' });
  });
});

describe('controlPage', () => {
  const everyone = [
    user('u-owner', 'control_owner'),
    user('u-aud', 'auditor'),
    user('u-view', 'viewer'),
    user('u-cm', 'compliance_manager'),
  ];

  it('offers only people who may own a control, the current owner selected', () => {
    const page = controlPage({ control, canAssign: true, everyone, evidence: null, outcomes: [] });
    expect(page.people.map((u) => [u.id, u.selected])).toEqual([
      ['u-owner', true],
      ['u-cm', false],
    ]);
    expect([page.refused, page.ownerError]).toEqual([null, null]);
  });

  it('keeps a refused choice visible, marked, with the reason', () => {
    const problem = new ValidationError([{ field: 'userId', message: 'may not own a control' }]);
    const page = controlPage({
      control,
      canAssign: true,
      everyone,
      evidence: null,
      outcomes: [],
      form: { userId: 'u-aud', problem },
    });
    expect(page.refused).toEqual({ id: 'u-aud', name: 'Name u-aud', role: 'auditor' });
    expect(page.people.some((u) => u.selected)).toBe(false);
    expect(page.ownerError).toEqual({ detail: 'userId: may not own a control', errors: problem.errors });
  });

  it('names an unknown refused id as itself', () => {
    const problem = new ValidationError([{ field: 'userId', message: 'is not an active user' }]);
    const page = controlPage({
      control,
      canAssign: true,
      everyone,
      evidence: null,
      outcomes: [],
      form: { userId: 'u-gone', problem },
    });
    expect(page.refused).toEqual({ id: 'u-gone', name: 'u-gone', role: 'unknown' });
  });
});

describe('correcting evidence on the control page', () => {
  const item = (id: string, evidenceDate: string): EvidenceView =>
    ({
      id,
      title: `Item ${id}`,
      evidenceDate,
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      controls: ['ACC-02'],
      files: [],
    }) as unknown as EvidenceView;
  const evidence = (...items: EvidenceView[]) => ({ items, total: items.length, limit: 20, offset: 0 });

  it('fills in the item: its title, its period, and its day in the compliance zone (23:30 UTC is the next day in Bangkok)', () => {
    expect(correctionForm(item('a', '2026-11-02T23:30:00.000Z'))).toEqual({
      open: false,
      values: {
        title: 'Item a',
        description: '',
        evidenceDate: '2026-11-03',
        periodStart: '2026-11-01',
        periodEnd: '2026-11-30',
      },
      errors: {},
      detail: null,
    });
    expect(correctionForm(item('a', '2026-11-02T16:59:59.000Z')).values.evidenceDate).toBe('2026-11-02');
  });

  it('reopens the refused item’s form with what was typed and each problem; the others stay closed', () => {
    const problem = new ValidationError([{ field: 'periodEnd', message: 'must not be before periodStart' }]);
    const refused = refusedForm('b', { title: 'Typed', periodEnd: '2026-10-01' }, problem);
    const page = controlPage({
      control,
      canAssign: false,
      everyone: [],
      evidence: evidence(item('a', '2026-11-02T00:00:00Z'), item('b', '2026-11-02T00:00:00Z')),
      outcomes: [],
      canCorrect: true,
      correction: refused,
    });
    const [a, b] = page.evidence!.items.map((e) => e.correct!);
    expect(a.open).toBe(false);
    expect(b).toMatchObject({ open: true, values: { title: 'Typed', periodEnd: '2026-10-01' } });
    expect(b.errors.periodEnd).toMatch(/^Period end must not be before/);
    expect(page.evidence!.refusedElsewhere).toBeNull();
  });

  it('says above the list when the refused item was corrected meanwhile, and offers no form without the right', () => {
    const refused = refusedForm('gone', {}, new AlreadySupersededError('gone'));
    const page = controlPage({
      control,
      canAssign: false,
      everyone: [],
      evidence: evidence(item('a', '2026-11-02T00:00:00Z')),
      outcomes: [],
      canCorrect: true,
      correction: refused,
    });
    expect(page.evidence!.refusedElsewhere).toEqual({
      id: 'gone',
      detail: expect.stringMatching(/already been corrected/),
    });
    const reader = controlPage({
      control,
      canAssign: false,
      everyone: [],
      evidence: evidence(item('a', '2026-11-02T00:00:00Z')),
      outcomes: [],
    });
    expect(reader.evidence!.items[0].correct).toBeNull();
    expect(reader.evidence!.canCorrect).toBe(false);
  });
});
