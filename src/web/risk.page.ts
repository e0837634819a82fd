// View models of the risk register pages: the register (filters, paging, heat map, reviews, the product's
// plan) and one risk (its controls, traceability gaps and history). Pure functions of the services'
// views and what the ability allows (no Nest, no TypeORM), so what a page shows is decided and tested here.
import type { Page } from '../common/http/pagination';
import { renderHeatmapSvg } from '../risks/domain/heatmap-svg';
import { RISK_LEVELS, type RiskScale } from '../risks/domain/risk-matrix';
import {
  RISK_CONTROL_TYPES,
  RISK_REGISTERS,
  RISK_REVIEW_CADENCES,
  RISK_STATUSES,
  traceabilityGaps,
  type RiskRegister,
} from '../risks/domain/risk-model';
import type { RiskPlanView } from '../risks/dto/risk-plan.dto';
import type { ArisingFromView, HeatmapView, RiskReviewView, RiskVersionView, RiskView } from '../risks/dto/risk.dto';
import { evidenceOption } from './evidence-options';
import type { CreateRiskFormDto, RiskPageQueryDto } from './dto/risk-forms.dto';
import { csvHref } from './list-csv';
import type { RiskFormName, RiskFormState } from './risk-forms';

/** The refused form if it is the one named (a page has several), else null. */
const refusedAs = (form: RiskFormState | null | undefined, name: RiskFormName) => (form?.form === name ? form : null);

/** What a form shows: empty or as refused (open, the values typed, each field's problem, the refusal). */
function formView(refused: RiskFormState | null, values: Record<string, unknown> = {}) {
  return {
    open: !!refused,
    values: refused?.values ?? values,
    errors: refused?.errors ?? {},
    detail: refused?.detail ?? null,
  };
}

/** A select's options with the chosen one selected. */
const choices = <T extends object>(list: T[], key: (o: T) => string, chosen: unknown) =>
  list.map((o) => ({ ...o, selected: key(o) === chosen }));

export const REGISTER_LABEL = { iso14971: 'ISO 14971', security: 'Security (SOC 2 CC3)' } as const;
const CONTROL_TYPE_LABEL = {
  inherent_design: 'inherent safety by design',
  protective_measure: 'protective measure',
  information_for_safety: 'information for safety',
} as const;

/** What the register page is built from: the services' answers and what the actor may do. */
export interface RiskRegisterInput {
  query: RiskPageQueryDto;
  register: RiskRegister;
  list: Page<RiskView>;
  heatmap: HeatmapView;
  reviews: Page<RiskReviewView>;
  scale: RiskScale;
  /** The selected product's plan is shown (a product is selected and the actor reads plans). */
  showPlan: boolean;
  plan: RiskPlanView | null;
  can: { create: boolean; review: boolean; editPlan: boolean };
  /** The page's form as refused ("Add a hazard", the plan or the review), or null. */
  form?: RiskFormState | null;
}

/** "Add a hazard" as the API's CreateRiskDto body: empty fields not given, the register the page showed. */
export function createRiskBody(f: CreateRiskFormDto, register: RiskRegister): object {
  const given = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  return {
    register,
    ref: f.ref?.trim() ?? '',
    product: f.product?.trim() ?? '',
    title: f.title?.trim() ?? '',
    hazard: given(f.hazard),
    sequenceOfEvents: given(f.sequenceOfEvents),
    hazardousSituation: given(f.hazardousSituation),
    harm: given(f.harm),
    severity: f.severity ?? '',
    probability: given(f.probability),
    p1: given(f.p1),
    p2: given(f.p2),
  };
}

/** The "Add a hazard" form: empty, or as refused; the level selects with the typed choice selected. */
function addHazardForm(scale: RiskScale, refused: RiskFormState | null) {
  const v = refused?.values ?? {};
  const levels = (list: { level: string; name: string }[], chosen: unknown) => choices(list, (l) => l.level, chosen);
  return {
    ...formView(refused),
    severities: levels(scale.severity, v.severity),
    probabilities: levels(scale.probability, v.probability),
    p1s: levels(scale.probability, v.p1),
    p2s: levels(scale.probability, v.p2),
  };
}

/** The page's title and its CSV link: the register's own export (the columns its import takes). */
function registerHeading(register: RiskRegister, product: string | undefined) {
  return {
    pageTitle: 'Risks',
    registerLabel: REGISTER_LABEL[register],
    csv: csvHref('/api/risks/export', { register, product }),
  };
}

/**
 * The register page: the filtered table with paging links that keep the filters, the heat map and the plan.
 */
export function riskRegisterPage(input: RiskRegisterInput) {
  const { query, register, list, heatmap, scale, plan } = input;
  const params = (offset: number) =>
    new URLSearchParams(
      Object.entries({
        register,
        product: query.product,
        status: query.status,
        level: query.level,
        owner: query.owner,
        q: query.q,
        offset: String(offset),
      }).filter((e): e is [string, string] => !!e[1]),
    ).toString();
  return {
    ...registerHeading(register, query.product),
    risks: list.items,
    total: list.total,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? `?${params(Math.max(0, list.offset - list.limit))}` : null,
    next: list.offset + list.limit < list.total ? `?${params(list.offset + list.limit)}` : null,
    heatmapSvg: renderHeatmapSvg({
      title: `${REGISTER_LABEL[register]} register: risks per cell before and after controls`,
      severity: heatmap.severity,
      probability: heatmap.probability,
      before: heatmap.before,
      after: heatmap.after,
      unassessed: heatmap.unassessed,
      idPrefix: `heatmap-${register}`,
    }),
    registers: RISK_REGISTERS.map((key) => ({ key, label: REGISTER_LABEL[key] })),
    statuses: RISK_STATUSES,
    levels: RISK_LEVELS,
    severities: scale.severity,
    probabilities: scale.probability,
    axes: axisLabels(scale.axes),
    p1p2: scale.p1xp2 !== null,
    registerKey: register,
    canCreate: input.can.create,
    add: addHazardForm(scale, refusedAs(input.form, 'hazard')),
    canReview: input.can.review,
    review: formView(refusedAs(input.form, 'review')),
    reviews: input.reviews.items,
    filter: {
      register,
      product: query.product ?? '',
      status: query.status ?? '',
      level: query.level ?? '',
      mine: query.owner === 'me',
      owner: query.owner && query.owner !== 'me' ? query.owner : '',
      q: query.q ?? '',
    },
    showPlan: input.showPlan,
    plan,
    planVersion: plan?.version ?? 0,
    planForm: planForm(plan, refusedAs(input.form, 'plan')),
    canEditPlan: input.showPlan && input.can.editPlan,
  };
}

/** The plan form: the plan as it is (the version shown is always the current one), or as refused. */
function planForm(plan: RiskPlanView | null, refused: RiskFormState | null) {
  const form = formView(refused, {
    scope: plan?.scope,
    intendedUse: plan?.intendedUse,
    acceptabilityPolicy: plan?.acceptabilityPolicy,
    reviewCadence: plan?.reviewCadence,
    residualRiskStatement: plan?.residualRiskStatement,
  });
  const cadences = RISK_REVIEW_CADENCES.map((key) => ({ key }));
  return { ...form, cadences: choices(cadences, (c) => c.key, form.values.reviewCadence) };
}

/** What one risk's page is built from. */
export interface RiskPageInput {
  risk: RiskView;
  history: RiskVersionView[];
  arisingFrom: ArisingFromView[];
  scale: RiskScale;
  canUpdate: boolean;
  /** Titles of the evidence items the controls name (those the reader may read). */
  evidenceTitles?: Map<string, string>;
  /** What the "Add a risk control" form offers to pick from (for those who may add one). */
  pickers?: RiskControlPickers | null;
  /** "Add a risk control" as refused, or null. */
  form?: RiskFormState | null;
}

export interface RiskControlPickers {
  controls: Array<{ key: string; title: string }>;
  evidence: Array<{ id: string; title: string; controls: string[]; evidenceDate: string }>;
}

/** Evidence ids as links named by the item's title (or a short id when the reader may not read the item). */
function evidenceLinks(ids: string[], titles: Map<string, string>) {
  return ids.map((id) => ({ id, title: titles.get(id) ?? `evidence ${id.slice(0, 8)}…` }));
}

/** The pickers' options: a control by key and title, an evidence item by title, its controls and date. */
function pickerOptions(pickers: RiskControlPickers | null | undefined) {
  if (!pickers) return null;
  return {
    controls: pickers.controls.map((c) => ({ value: c.key, label: `${c.key} — ${c.title}` })),
    evidence: pickers.evidence.map(evidenceOption),
  };
}

/** One risk: its numbered controls, the traceability report's gaps for it, and what changed in each version. */
export function riskPage(input: RiskPageInput) {
  const { risk, history, arisingFrom, scale, canUpdate, evidenceTitles, pickers } = input;
  const titles = evidenceTitles ?? new Map<string, string>();
  return {
    pageTitle: `${risk.ref} ${risk.title}`,
    risk,
    registerLabel: REGISTER_LABEL[risk.register],
    /** The product's risks in this register, with the product's risk management plan. */
    productRegister: `/risks?${new URLSearchParams({ register: risk.register, product: risk.product }).toString()}`,
    controls: risk.controls.map((c, i) => ({
      ...c,
      number: i + 1,
      typeLabel: CONTROL_TYPE_LABEL[c.type],
      implementationLinks: evidenceLinks(c.implementationEvidence, titles),
      effectivenessLinks: evidenceLinks(c.effectivenessEvidence, titles),
    })),
    pickers: pickerOptions(pickers),
    arisingFrom,
    // The traceability report's gaps for this risk (GET /api/risks/traceability computes the same).
    gaps: traceabilityGaps({
      ...risk,
      controls: risk.controls.map((c) => ({
        implementationEvidenceIds: c.implementationEvidence,
        effectivenessEvidenceIds: c.effectivenessEvidence,
      })),
    }).map((g) => ({ ...g, controlNumber: g.control === undefined ? null : g.control + 1 })),
    history: history.map((v) => ({ ...v, changed: v.before ? v.changes.map((c) => c.field).join(', ') : '' })),
    severities: scale.severity,
    probabilities: scale.probability,
    axes: axisLabels(scale.axes),
    canUpdate,
    add: addControlForm(scale, refusedAs(input.form, 'control')),
  };
}

/** The "Add a risk control" form: empty, or as refused with the typed choices selected. */
function addControlForm(scale: RiskScale, refused: RiskFormState | null) {
  const form = formView(refused);
  const types = RISK_CONTROL_TYPES.map((key) => ({ key, label: CONTROL_TYPE_LABEL[key] }));
  return {
    ...form,
    controlTypes: choices(types, (t) => t.key, form.values.type),
    severities: choices(scale.severity, (l) => l.level, form.values.residualSeverity),
    probabilities: choices(scale.probability, (l) => l.level, form.values.residualProbability),
  };
}

/** The axes' names for labels: `severity`/`Severity` (ISO 14971) or `impact`/`Impact` (security). */
export function axisLabels(
  axes: { severity: string; probability: string } = { severity: 'severity', probability: 'probability' },
) {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { ...axes, Severity: cap(axes.severity), Probability: cap(axes.probability) };
}
