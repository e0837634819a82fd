// View models of the incident pages: the register (filters, paging, every owed clock), the report form, and
// one incident (facts, clocks, severity history, timeline, breach assessment, notices, CAPAs, review and the
// forms the ability allows). Pure functions of the services' views, the policy, the ability and the time now.
import type { AppAbility } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import type { Page } from '../common/http/pagination';
import { wallClock, zoneLabel } from '../common/time/zone';
import { BREACH_DECISIONS, BREACH_FACTORS, BREACH_TYPES, FACTOR_LEVELS } from '../incidents/domain/breach';
import {
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  MANUAL_TIMELINE_KINDS,
  NOTICE_KINDS,
  noticeAuthority,
  type NoticeKind,
} from '../incidents/domain/incident-model';
import {
  ADVERSE_EVENT_LABEL as AE_LABEL,
  CATEGORY_LABEL,
  keyWords as label,
  NOTICE_LABEL,
} from '../incidents/domain/incident-labels';
import { ADVERSE_EVENT_CATEGORIES, type IncidentPolicy } from '../incidents/domain/incident-policy';
import type { ClockView, IncidentDetail, IncidentListItem } from '../incidents/incident-views';
import { evidenceOption } from './evidence-options';
import type { IncidentPageQueryDto } from './dto/incident-forms.dto';
import { csvHref } from './list-csv';
import type { RiskRegister } from '../risks/domain/risk-model';
import type { RiskScale } from '../risks/domain/risk-matrix';
import type { FormState, IncidentFormName } from './incident-forms';
import { axisLabels, REGISTER_LABEL } from './risk.page';

const FACTOR_LABEL: Record<string, string> = {
  nature: 'Nature of the breach',
  dataTypeAndVolume: 'Type and volume of the data',
  subjectVulnerability: 'Vulnerability of the subjects (patients, minors)',
  consequenceSeverity: 'Severity of the consequences, and how well remediation works',
  widerEffects: 'Wider effects',
  safeguards: 'Storage and safeguards (e.g. encryption)',
};
const DECISION_LABEL: Record<string, string> = {
  no_risk: 'no risk: unlikely to result in a risk (kept with its reasons)',
  risk: 'risk: notify the PDPC Office',
  high_risk: 'high risk: notify the Office and tell the data subjects',
};
const HOUR = 3_600_000;

/** "3 h 20 m", "2 d 4 h", "5 h", "12 m". */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  const d = Math.floor(abs / (24 * HOUR));
  const h = Math.floor((abs % (24 * HOUR)) / HOUR);
  const m = Math.floor((abs % HOUR) / 60_000);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} m` : `${h} h`;
  return `${m} m`;
}

/** A clock in words (never colour alone): time left, lateness, met, missed with its reason. */
export function clockText(c: ClockView): string {
  switch (c.state) {
    case 'running':
    case 'due_soon':
      return `${duration(c.remainingMs ?? 0)} left`;
    case 'overdue':
      return `late by ${duration(c.remainingMs ?? 0)}`;
    case 'met':
      return 'met';
    case 'missed':
      return `missed (${c.lateReason?.trim() || 'no reason given'})`;
    default:
      return 'not owed';
  }
}

export function clockCell(c: ClockView) {
  return { ...c, text: clockText(c), owed: c.state !== 'not_owed' };
}

/** An option of a select (or a checkbox) with whether it is chosen. */
const options = (keys: readonly string[], chosen: unknown, labels: Record<string, string> = {}) =>
  keys.map((key) => ({
    key,
    label: labels[key] ?? label(key),
    selected: Array.isArray(chosen) ? chosen.includes(key) : chosen === key,
  }));
const severityOptions = (policy: IncidentPolicy, chosen: unknown) =>
  options(
    policy.severities.map((s) => s.key),
    chosen,
    Object.fromEntries(policy.severities.map((s) => [s.key, `${s.key} ${s.name}`])),
  );
/** A `datetime-local` value: the wall clock in the compliance zone. */
export const localInput = (at: Date | string) => wallClock(new Date(at)).replace(' ', 'T');

function listRow(i: IncidentListItem) {
  return {
    ...i,
    peak: i.peakSeverity && i.peakSeverity !== i.severity ? i.peakSeverity : null,
    statusLabel: label(i.status),
    categoryLabels: i.categories.map((c) => CATEGORY_LABEL[c] ?? c).join(', '),
    clocks: i.clocks.map(clockCell).filter((c) => c.owed),
  };
}

export interface IncidentRegisterInput {
  query: IncidentPageQueryDto;
  list: Page<IncidentListItem>;
  policy: IncidentPolicy;
}

/** The register: filters kept in the paging links, a row per incident with every owed clock in words. */
export function incidentRegisterPage({ query, list, policy }: IncidentRegisterInput) {
  const show = query.show ?? 'open';
  const params = (offset: number) =>
    new URLSearchParams(
      Object.entries({
        show,
        status: query.status,
        severity: query.severity,
        category: query.category,
        q: query.q,
        offset: String(offset),
      }).filter((e): e is [string, string] => !!e[1]),
    ).toString();
  return {
    pageTitle: 'Incidents',
    incidents: list.items.map(listRow),
    total: list.total,
    from: list.total === 0 ? 0 : list.offset + 1,
    to: list.offset + list.items.length,
    previous: list.offset > 0 ? `?${params(Math.max(0, list.offset - list.limit))}` : null,
    next: list.offset + list.limit < list.total ? `?${params(list.offset + list.limit)}` : null,
    filter: { show, q: query.q ?? '' },
    csv: csvHref('/incidents/export.csv', {
      show,
      status: query.status,
      severity: query.severity,
      category: query.category,
      q: query.q,
    }),
    shows: options(['open', 'all'], show, { open: 'open incidents', all: 'all incidents' }),
    statuses: options(INCIDENT_STATUSES, query.status),
    severities: severityOptions(policy, query.severity),
    categories: options(INCIDENT_CATEGORIES, query.category, CATEGORY_LABEL),
    zone: zoneLabel(),
  };
}

/** The report form, blank (times: now) or as it was sent with its problems. */
export function newIncidentPage(input: {
  policy: IncidentPolicy;
  now: Date;
  form?: FormState | null;
  formKey: string;
}) {
  const failed = input.form?.form === 'report' ? input.form : null;
  const now = localInput(input.now);
  const values = failed?.values ?? { severity: 'SEV3', categories: [], detectedAt: now, awareAt: now };
  return {
    pageTitle: 'Report an incident',
    formKey: input.formKey,
    values,
    errors: failed?.errors ?? {},
    detail: failed?.detail ?? null,
    severities: severityOptions(input.policy, values.severity),
    severityHelp: input.policy.severities.map((s) => ({
      key: s.key,
      name: s.name,
      acknowledgeHours: s.acknowledgeHours,
      updateHours: s.updateHours ?? null,
    })),
    categories: options(INCIDENT_CATEGORIES, values.categories ?? [], CATEGORY_LABEL),
    adverseEventCategories: options(ADVERSE_EVENT_CATEGORIES, values.adverseEventCategory, AE_LABEL),
    maxLocal: now,
    zone: zoneLabel(),
  };
}

/** The incident as the CASL rules see it, rebuilt from its view (ids are absent only for auditors). */
export function ruleSubject(i: IncidentDetail) {
  return {
    id: i.id,
    status: i.status,
    reporterUserId: i.reporter?.id ?? null,
    commanderUserId: i.commander?.id ?? null,
    personalData: i.categories.includes('personal_data_breach'),
    clinicalSafety: i.categories.includes('clinical_safety'),
    capaOwnerUserIds: i.capas.flatMap((c) => (c.owner ? [c.owner.id] : [])),
  };
}

/** What the person may do on this incident, from the same rules the services check. */
export function incidentPermissions(ability: AppAbility, i: IncidentDetail, actorId: string | null = null) {
  const subject = ruleSubject(i);
  const open = i.status !== 'closed';
  const update = open && ability.can('update', asSubject('Incident', subject));
  const relevant = (k: NoticeKind) =>
    noticeAuthority(k) === 'pdpa'
      ? subject.personalData
      : subject.clinicalSafety && (k !== 'fsca_report' || i.fscaStartedAt !== null);
  const noticeKinds = NOTICE_KINDS.filter(
    (k) =>
      open &&
      relevant(k) &&
      ability.can('create', asSubject('IncidentNotice', { ...subject, authority: noticeAuthority(k) })),
  );
  return {
    update,
    assess: open && subject.personalData && ability.can('create', asSubject('BreachAssessment', subject)),
    readAssessment: ability.can('read', asSubject('BreachAssessment', subject)),
    noticeKinds,
    /** The register a new risk raised here goes to, when the person may raise one (as its owner). */
    raiseRisk:
      update && ability.can('create', asSubject('Risk', { register: riskRegisterOf(i), ownerUserId: actorId }))
        ? riskRegisterOf(i)
        : null,
    closeCapa: (owner: string | null) =>
      open &&
      (ability.can('update', asSubject('Incident', { ...subject, capaOwnerUserIds: [] })) ||
        ability.can('update', asSubject('IncidentCapa', { ownerUserId: owner }))),
  };
}
export type IncidentPermissions = ReturnType<typeof incidentPermissions>;

/** A risk raised from a clinical-safety incident is a hazard (ISO 14971); from any other, a security risk. */
export function riskRegisterOf(i: Pick<IncidentDetail, 'categories'>): RiskRegister {
  return i.categories.includes('clinical_safety') ? 'iso14971' : 'security';
}

export interface IncidentPageInput {
  incident: IncidentDetail;
  policy: IncidentPolicy;
  can: IncidentPermissions;
  /** People who may be made commander or CAPA owner (empty when the person may not change the incident). */
  people: { id: string; name: string }[];
  /** The scale of the register a risk raised here would go to (levels for its selects). */
  riskScale?: RiskScale | null;
  form?: FormState | null;
  formKey: string;
  now: Date;
  /** Evidence a CAPA's closing may name (the newest the person may read), picked by title. */
  evidence?: Array<{ id: string; title: string; controls: string[]; evidenceDate: string }>;
}

/** A form's state on this page: the refused one as sent, the others from their defaults. */
function formOf(failed: FormState | null | undefined, name: IncidentFormName, defaults: Record<string, unknown>) {
  const mine = failed?.form === name ? failed : null;
  return { values: mine?.values ?? defaults, errors: mine?.errors ?? {}, detail: mine?.detail ?? null };
}

/** Names for `user:<id>` actors of the history and timeline, from the people the page knows. */
function namer(input: IncidentPageInput) {
  const i = input.incident;
  const known = new Map<string, string>(input.people.map((p) => [p.id, p.name]));
  for (const p of [i.reporter, i.commander, ...i.capas.map((c) => c.owner)]) if (p) known.set(p.id, p.name);
  return (actor: string | undefined) => {
    if (!actor) return null;
    const id = actor.startsWith('user:') ? actor.slice(5) : null;
    return (id && known.get(id)) ?? (id ? 'a colleague' : label(actor.replace(/^system:/, '')));
  };
}

/** One incident: facts, clocks, history, timeline (oldest first), assessment, notices, CAPAs, and the forms. */
export function incidentPage(input: IncidentPageInput) {
  const i = input.incident;
  const who = namer(input);
  return {
    pageTitle: `${i.ref} ${i.title}`,
    incident: i,
    formKey: input.formKey,
    zone: zoneLabel(),
    statusLabel: label(i.status),
    closed: i.status === 'closed',
    reporterRoleLabel: label(i.reporterRole),
    peak: i.peakSeverity && i.peakSeverity !== i.severity ? i.peakSeverity : null,
    categoryLabels: i.categories.map((c) => CATEGORY_LABEL[c] ?? c).join(', '),
    adverseEventLabel: i.adverseEventCategory ? AE_LABEL[i.adverseEventCategory] : null,
    clocks: i.clocks.map(clockCell),
    severities: i.severities.map((s) => ({ ...s, by: who(s.actor) })),
    timeline: [...i.timeline]
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((t) => ({ ...t, kindLabel: label(t.kind), by: who(t.actor) })),
    assessment: assessmentView(i),
    notices: i.notices.map((n) => ({ ...n, kindLabel: NOTICE_LABEL[n.kind], by: who(n.actor) })),
    capas: i.capas.map((c) => capaRow(input, c)),
    evidenceOptions: (input.evidence ?? []).map(evidenceOption),
    risks: i.risks.map((r) => ({ ...r, registerLabel: REGISTER_LABEL[r.register as RiskRegister] ?? r.register })),
    showBreach: i.categories.includes('personal_data_breach') || i.assessment !== null,
    showDraft: i.assessment !== null && input.can.readAssessment,
    ...incidentForms(input),
  };
}

function assessmentView(i: IncidentDetail) {
  const a = i.assessment;
  if (!a) return null;
  return {
    ...a,
    decisionLabel: DECISION_LABEL[a.decision] ?? a.decision,
    factors: BREACH_FACTORS.map((k) => ({ key: k, label: FACTOR_LABEL[k], ...a.factors[k] })),
  };
}

function capaRow(input: IncidentPageInput, c: IncidentDetail['capas'][number]) {
  const form = formOf(input.form, `capa-close:${c.id}`, { status: 'done' });
  return {
    ...c,
    ownerName: c.owner?.name ?? null,
    open: c.status === 'open',
    canClose: c.status === 'open' && input.can.closeCapa(c.owner?.id ?? null),
    closeForm: { ...form, statuses: options(['done', 'accepted'], form.values.status) },
  };
}

/** The forms the person may use, each with its values, problems and choices. */
function incidentForms(input: IncidentPageInput) {
  const { incident: i, can, form: failed } = input;
  const now = localInput(input.now);
  const change = formOf(failed, 'change', {
    status: i.status,
    severity: i.severity,
    commanderUserId: i.commander?.id ?? '',
  });
  const timeline = formOf(failed, 'timeline', { kind: 'action', at: now });
  const facts = factsForm(input);
  const capa = formOf(failed, 'capa', { ownerUserId: '' });
  const notice = formOf(failed, 'notice', { kind: can.noticeKinds[0], sentAt: now });
  const review = formOf(failed, 'review', { ...(i.review ?? {}) });
  const risk = formOf(failed, 'risk', { product: i.products[0] ?? '', title: i.title });
  const people = (chosen: unknown) => input.people.map((p) => ({ ...p, selected: p.id === chosen }));
  return {
    maxLocal: now,
    can: {
      update: can.update,
      assess: can.assess,
      notice: can.noticeKinds.length > 0,
      raiseRisk: can.raiseRisk !== null && !!input.riskScale,
    },
    forms: {
      change: {
        ...change,
        statuses: options(INCIDENT_STATUSES.slice(INCIDENT_STATUSES.indexOf(i.status)), change.values.status),
        severities: severityOptions(input.policy, change.values.severity),
        people: people(change.values.commanderUserId),
      },
      facts,
      timeline: { ...timeline, kinds: options(MANUAL_TIMELINE_KINDS, timeline.values.kind) },
      assessment: assessmentForm(input),
      notice: { ...notice, kinds: options(can.noticeKinds, notice.values.kind, NOTICE_LABEL) },
      capa: { ...capa, people: people(capa.values.ownerUserId) },
      review,
      risk: riskForm(risk, can.raiseRisk, input.riskScale ?? null),
    },
  };
}

/** "Correct the facts": the incident's facts as the report form shows them (times in the compliance zone). */
function factsForm(input: IncidentPageInput) {
  const i = input.incident;
  const time = (at: string | null) => (at ? localInput(at) : '');
  const form = formOf(input.form, 'facts', {
    title: i.title,
    description: i.description,
    categories: i.categories,
    awareAt: localInput(i.awareAt),
    affectedSystems: i.affectedSystems.join(', '),
    products: i.products.join(', '),
    customers: i.customers.join(', '),
    adverseEventCategory: i.adverseEventCategory ?? '',
    fscaStartedAt: time(i.fscaStartedAt),
    fscaClosedAt: time(i.fscaClosedAt),
  });
  const v = form.values;
  return {
    ...form,
    categories: options(INCIDENT_CATEGORIES, v.categories ?? [], CATEGORY_LABEL),
    adverseEventCategories: options(ADVERSE_EVENT_CATEGORIES, v.adverseEventCategory, AE_LABEL),
    /** A field safety corrective action belongs to a clinical-safety incident (or one that has its dates). */
    showFsca: i.categories.includes('clinical_safety') || i.fscaStartedAt !== null || i.fscaClosedAt !== null,
  };
}

/** The "raise a new risk" form: its register (fixed by the incident's categories) and the scale's levels. */
function riskForm(form: ReturnType<typeof formOf>, register: RiskRegister | null, scale: RiskScale | null) {
  if (!register || !scale) return null;
  const v = form.values;
  const levels = (list: { level: string; name: string }[], chosen: unknown) =>
    list.map((l) => ({ ...l, selected: l.level === chosen }));
  return {
    ...form,
    register,
    registerLabel: REGISTER_LABEL[register],
    hazardNoun: register === 'iso14971' ? 'hazard' : 'security risk',
    axes: axisLabels(scale.axes),
    severities: levels(scale.severity, v.severity),
    probabilities: levels(scale.probability, v.probability),
    p1p2: scale.p1xp2 !== null,
    p1s: levels(scale.probability, v.p1),
    p2s: levels(scale.probability, v.p2),
  };
}

/** The assessment form: blank, or the current assessment to start from, or as refused. */
function assessmentForm(input: IncidentPageInput) {
  const a = input.incident.assessment;
  const defaults: Record<string, unknown> = a
    ? {
        ...a,
        dataCategories: a.dataCategories.join(', '),
        sensitive: a.sensitive ? '1' : '',
        ...Object.fromEntries(
          BREACH_FACTORS.flatMap((k) => [
            [`${k}Level`, a.factors[k].level],
            [`${k}Note`, a.factors[k].note ?? ''],
          ]),
        ),
      }
    : { types: [], decision: '' };
  const form = formOf(input.form, 'assessment', defaults);
  const v = form.values;
  return {
    ...form,
    types: options(BREACH_TYPES, v.types ?? []),
    sensitive: v.sensitive === '1' || v.sensitive === 'on',
    factors: BREACH_FACTORS.map((k) => ({
      key: k,
      label: FACTOR_LABEL[k],
      levels: options(FACTOR_LEVELS, v[`${k}Level`]),
      note: v[`${k}Note`] ?? '',
      levelError: form.errors[`${k}Level`] ?? null,
      noteError: form.errors[`${k}Note`] ?? null,
    })),
    decisions: options(BREACH_DECISIONS, v.decision, DECISION_LABEL),
  };
}
