import type { RiskScale } from '../risks/domain/risk-matrix';
import type { HeatmapView, RiskView } from '../risks/dto/risk.dto';
import { axisLabels, riskPage, riskRegisterPage, type RiskRegisterInput } from './risk.page';

const scale: RiskScale = {
  axes: { severity: 'impact', probability: 'likelihood' },
  severity: [{ level: 'I1', name: 'minor' } as any],
  probability: [{ level: 'L1', name: 'rare' } as any],
  p1xp2: null,
  matrix: {},
};
const heatmap = { severity: [], probability: [], before: [], after: [], unassessed: 0 } as unknown as HeatmapView;
const risk = (n: number) => ({ id: `r-${n}`, ref: `SEC-00${n}`, title: `Risk ${n}` }) as unknown as RiskView;

function input(over: Partial<RiskRegisterInput> = {}): RiskRegisterInput {
  return {
    query: { register: 'security', status: 'open', owner: 'me', q: 'tls' },
    register: 'security',
    list: { items: [risk(3), risk(4)], total: 7, limit: 2, offset: 2 },
    heatmap,
    reviews: { items: [], total: 0, limit: 5, offset: 0 },
    scale,
    showPlan: false,
    plan: null,
    can: { create: true, review: false, editPlan: true },
    ...over,
  };
}

describe('riskRegisterPage', () => {
  it('counts the rows shown and links both pages keeping every filter', () => {
    const page = riskRegisterPage(input());
    expect([page.total, page.from, page.to]).toEqual([7, 3, 4]);
    expect(page.previous).toBe('?register=security&status=open&owner=me&q=tls&offset=0');
    expect(page.next).toBe('?register=security&status=open&owner=me&q=tls&offset=4');
    expect(page.filter).toEqual({
      register: 'security',
      product: '',
      status: 'open',
      level: '',
      mine: true,
      owner: '',
      q: 'tls',
    });
  });

  it('has no links past the ends and counts an empty register as 0 to 0', () => {
    const empty = riskRegisterPage(input({ list: { items: [], total: 0, limit: 50, offset: 0 } }));
    expect([empty.from, empty.to, empty.previous, empty.next]).toEqual([0, 0, null, null]);
  });

  it('names the register and its axes, and shows P1 × P2 only for a scale that has it', () => {
    const page = riskRegisterPage(input());
    expect(page.registerLabel).toBe('Security (SOC 2 CC3)');
    expect(page.axes).toEqual({
      severity: 'impact',
      probability: 'likelihood',
      Severity: 'Impact',
      Probability: 'Likelihood',
    });
    expect(page.p1p2).toBe(false);
    expect(page.heatmapSvg).toContain('<svg');
  });

  it('offers plan editing only when the plan is shown and the actor may edit it', () => {
    expect(riskRegisterPage(input()).canEditPlan).toBe(false);
    const shown = riskRegisterPage(
      input({ showPlan: true, plan: { version: 3 } as any, query: { product: 'Telehealth' } }),
    );
    expect([shown.canEditPlan, shown.planVersion, shown.filter.product]).toEqual([true, 3, 'Telehealth']);
    expect(
      riskRegisterPage(input({ showPlan: true, can: { create: false, review: false, editPlan: false } })).canEditPlan,
    ).toBe(false);
  });
});

describe('riskRegisterPage forms', () => {
  const refused = (form: 'hazard' | 'plan' | 'review') => ({
    form,
    values: { notes: 'typed', scope: 'typed scope', reviewCadence: 'annual', severity: 'I1' },
    errors: { notes: 'Notes is required.' },
    detail: 'Notes is required.',
  });
  const plan = { version: 2, scope: 'App 3.x', intendedUse: 'Adults', reviewCadence: 'quarterly' } as any;

  it('shows every form closed and empty, the plan form filled from the plan', () => {
    const page = riskRegisterPage(input({ showPlan: true, plan }));
    expect([page.add.open, page.review.open, page.planForm.open]).toEqual([false, false, false]);
    expect(page.review).toEqual({ open: false, values: {}, errors: {}, detail: null });
    expect(page.planForm.values).toMatchObject({ scope: 'App 3.x', intendedUse: 'Adults' });
    expect(page.planForm.cadences.filter((c) => c.selected).map((c) => c.key)).toEqual(['quarterly']);
  });

  it('shows the refused form only, open, with what was typed; the plan form keeps the current version', () => {
    const review = riskRegisterPage(input({ form: refused('review') }));
    expect(review.review).toMatchObject({ open: true, values: { notes: 'typed' }, detail: 'Notes is required.' });
    expect([review.add.open, review.planForm.open]).toEqual([false, false]);
    const planned = riskRegisterPage(input({ showPlan: true, plan, form: refused('plan') }));
    expect(planned.planForm).toMatchObject({ open: true, values: { scope: 'typed scope' } });
    expect(planned.planForm.cadences.filter((c) => c.selected).map((c) => c.key)).toEqual(['annual']);
    expect([planned.planVersion, planned.review.open]).toEqual([2, false]);
    const hazard = riskRegisterPage(input({ form: refused('hazard') }));
    expect(hazard.add.open).toBe(true);
    expect(hazard.add.severities.filter((l) => l.selected).map((l) => l.level)).toEqual(['I1']);
  });
});

describe('riskPage', () => {
  const control = (impl: string[], eff: string[]) => ({
    type: 'protective_measure',
    description: 'x',
    implementationEvidence: impl,
    effectivenessEvidence: eff,
  });
  const page = riskPage({
    risk: {
      ...risk(1),
      register: 'iso14971',
      product: 'Triage & Co',
      level: 'alara',
      residualLevel: null,
      benefitRisk: null,
      controls: [control(['e1'], ['e2']), control([], ['e3'])],
    } as unknown as RiskView,
    history: [
      { version: 2, before: {}, changes: [{ field: 'title' }, { field: 'severity' }] },
      { version: 1, before: null, changes: [] },
    ] as any,
    arisingFrom: [],
    scale,
    canUpdate: false,
  });

  it('numbers the controls from 1 and labels their type', () => {
    expect(page.controls.map((c) => [c.number, c.typeLabel])).toEqual([
      [1, 'protective measure'],
      [2, 'protective measure'],
    ]);
  });

  it('lists the traceability gaps with the control they concern, numbered like the list', () => {
    expect(page.gaps.map((g) => [g.kind, g.controlNumber])).toEqual([
      ['control_without_implementation_verification', 2],
      ['unacceptable_residual_without_benefit_risk', null],
    ]);
  });

  it('offers the add-control form empty, or as refused with the typed choices selected', () => {
    expect(page.add).toMatchObject({ open: false, values: {}, errors: {}, detail: null });
    expect(page.add.controlTypes.some((t) => t.selected)).toBe(false);
    const again = riskPage({
      risk: { ...risk(1), register: 'security', controls: [] } as unknown as RiskView,
      history: [],
      arisingFrom: [],
      scale,
      canUpdate: true,
      form: {
        form: 'control',
        values: { type: 'information_for_safety', description: 'Leaflet', residualProbability: 'L1' },
        errors: { version: 'x' },
        detail: 'The risk is at version 3, not 2.',
      },
    });
    expect(again.add).toMatchObject({ open: true, values: { description: 'Leaflet' } });
    expect(again.add.controlTypes.filter((t) => t.selected).map((t) => t.key)).toEqual(['information_for_safety']);
    expect(again.add.probabilities.filter((l) => l.selected).map((l) => l.level)).toEqual(['L1']);
    expect(again.add.severities.some((l) => l.selected)).toBe(false);
  });

  it('says which fields each version changed (none for the first)', () => {
    expect(page.history.map((v) => v.changed)).toEqual(['title, severity', '']);
    expect(page.pageTitle).toBe('SEC-001 Risk 1');
    expect(page.productRegister).toBe('/risks?register=iso14971&product=Triage+%26+Co');
  });
});

describe('axisLabels', () => {
  it('defaults to severity and probability', () => {
    expect(axisLabels()).toEqual({
      severity: 'severity',
      probability: 'probability',
      Severity: 'Severity',
      Probability: 'Probability',
    });
  });
});
