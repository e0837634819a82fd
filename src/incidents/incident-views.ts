// From stored rows to what the API answers: the clocks' facts, the clocks, list items and the full view.
// Times are ISO instants; pages show them in the compliance zone.
import type { BreachAssessmentFacts } from './domain/breach';
import {
  incidentClocks,
  peakSeverity,
  type IncidentClock,
  type IncidentFacts,
  type Sent,
} from './domain/incident-clocks';
import { incidentRef, type CapaStatus, type IncidentCategory, type IncidentStatus } from './domain/incident-model';
import type { IncidentPolicy } from './domain/incident-policy';
import type {
  IncidentBreachAssessment,
  IncidentCapa,
  IncidentNotice,
  IncidentTimelineEntry,
} from './incident-records.entity';
import type { Incident, IncidentReview } from './incident.entity';
import type { IncidentRecords } from './incidents.repository';

export interface ClockView {
  key: string;
  label: string;
  source: string;
  dueAt: string | null;
  doneAt: string | null;
  state: IncidentClock['state'];
  remainingMs: number | null;
  lateReason: string | null;
  needsLateReason: boolean;
}

export interface PersonRef {
  id: string;
  name: string;
}

export interface IncidentListItem {
  id: string;
  ref: string;
  title: string;
  status: IncidentStatus;
  severity: string;
  peakSeverity: string | null;
  categories: IncidentCategory[];
  detectedAt: string;
  awareAt: string;
  reporterRole: string;
  /** Absent for auditors (they read the reporter's role, not who). */
  reporter?: PersonRef | null;
  commander?: PersonRef | null;
  clocks: ClockView[];
  openCapas: number;
  version: number;
}

export interface AssessmentView extends Omit<BreachAssessmentFacts, 'decidedAt'> {
  id: string;
  decidedAt: string;
  actor?: string;
}

export interface NoticeView {
  id: string;
  kind: IncidentNotice['kind'];
  sentAt: string;
  channel: string;
  reference: string | null;
  recipientsCount: number | null;
  lateReason: string | null;
  actor?: string;
}

export interface CapaView {
  id: string;
  title: string;
  owner?: PersonRef | null;
  dueOn: string;
  status: CapaStatus;
  verificationEvidenceId: string | null;
  note: string | null;
  closedAt: string | null;
}

export interface IncidentDetail extends IncidentListItem {
  description: string;
  source: Incident['source'];
  externalKey: string | null;
  affectedSystems: string[];
  products: string[];
  customers: string[];
  acknowledgedAt: string | null;
  firstUserUpdateAt: string | null;
  adverseEventCategory: Incident['adverseEventCategory'];
  fscaStartedAt: string | null;
  fscaClosedAt: string | null;
  /** `by` (user:<id>) only when identities may be shown. */
  review: (Omit<IncidentReview, 'by'> & { by?: string }) | null;
  closedAt: string | null;
  severities: { severity: string; at: string; reason: string | null; actor?: string }[];
  timeline: { id: string; at: string; kind: IncidentTimelineEntry['kind']; text: string; actor?: string }[];
  /**
   * The assessment in force (the newest), and how many were made; null for who may not read breach
   * assessments (the privacy officer's), whose timeline then shows its entries without their contents.
   */
  assessment: AssessmentView | null;
  assessments: number;
  notices: NoticeView[];
  capas: CapaView[];
  risks: { id: string; register: string; ref: string; title: string }[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const sent = (n: IncidentNotice | undefined): Sent | null => (n ? { at: n.sentAt, lateReason: n.lateReason } : null);

/** The incident's facts for the clock rules, from its row and records. */
export function factsOf(i: Incident, r: IncidentRecords): IncidentFacts {
  const notices = r.notices.get(i.id) ?? [];
  const first = (kind: IncidentNotice['kind']) => notices.find((n) => n.kind === kind);
  const assessment = (r.assessments.get(i.id) ?? []).at(-1);
  return {
    awareAt: i.awareAt,
    severities: (r.severities.get(i.id) ?? []).map((s) => ({ severity: s.severity, at: s.at })),
    acknowledgedAt: i.acknowledgedAt,
    firstUserUpdateAt: i.firstUserUpdateAt,
    breach: assessment ? { decision: assessment.decision, decidedAt: assessment.decidedAt } : null,
    personalData: i.personalData,
    officeNotice: sent(first('pdpc_office')),
    subjectNotice: sent(first('data_subjects')),
    adverseEvent: i.adverseEventCategory
      ? {
          category: i.adverseEventCategory,
          initialReport: sent(first('fda_initial')),
          followUp: sent(first('fda_follow_up')),
        }
      : null,
    fsca: i.fscaStartedAt
      ? {
          startedAt: i.fscaStartedAt,
          reports: notices.filter((n) => n.kind === 'fsca_report').map((n) => sent(n)!),
          closedAt: i.fscaClosedAt,
        }
      : null,
    closedAt: i.closedAt,
  };
}

export function clockView(c: IncidentClock): ClockView {
  return { ...c, dueAt: iso(c.dueAt), doneAt: iso(c.doneAt) };
}

/**
 * What a view builder needs beside the rows: the policy, now, names, whether identities may be shown (who
 * reported, commanded, acted, owns or reviewed: `INCIDENT_IDENTITY_FIELDS`), and whether the breach
 * assessment may be (`read BreachAssessment`).
 */
export interface ViewContext {
  policy: IncidentPolicy;
  now: Date;
  names: Map<string, string>;
  identities: boolean;
  assessment: boolean;
}

/** A timeline entry of an assessment as shown to who may not read it: that it was made, not what it says. */
const ASSESSMENT_WITHHELD = 'Breach assessed (the assessment is for the privacy officer)';

const person = (id: string | null, ctx: ViewContext): PersonRef | null =>
  id ? { id, name: ctx.names.get(id) ?? 'unknown user' } : null;

export function listItem(i: Incident, r: IncidentRecords, ctx: ViewContext): IncidentListItem {
  const facts = factsOf(i, r);
  const item: IncidentListItem = {
    id: i.id,
    ref: incidentRef(i.number),
    title: i.title,
    status: i.status,
    severity: i.severity,
    peakSeverity: peakSeverity(facts, ctx.policy),
    categories: i.categories,
    detectedAt: i.detectedAt.toISOString(),
    awareAt: i.awareAt.toISOString(),
    reporterRole: i.reporterRole,
    clocks: incidentClocks(facts, ctx.policy, ctx.now).map(clockView),
    openCapas: (r.capas.get(i.id) ?? []).filter((c) => c.status === 'open').length,
    version: i.version,
  };
  if (ctx.identities) {
    item.reporter = person(i.reporterUserId, ctx);
    item.commander = person(i.commanderUserId, ctx);
  }
  return item;
}

function capaView(c: IncidentCapa, ctx: ViewContext): CapaView {
  return {
    id: c.id,
    title: c.title,
    ...(ctx.identities ? { owner: person(c.ownerUserId, ctx) } : {}),
    dueOn: c.dueOn,
    status: c.status,
    verificationEvidenceId: c.verificationEvidenceId,
    note: c.note,
    closedAt: iso(c.closedAt),
  };
}

/** `actor` (user:<id>) only when identities may be shown. */
const who = (actor: string, ctx: ViewContext) => (ctx.identities ? { actor } : {});

/** The assessment in force, for who may read breach assessments (`read BreachAssessment`); else null. */
function assessmentView(a: IncidentBreachAssessment, ctx: ViewContext): AssessmentView | null {
  if (!ctx.assessment) return null;
  return { id: a.id, ...a.facts, decision: a.decision, decidedAt: a.decidedAt.toISOString(), ...who(a.actor, ctx) };
}

/** The review, with who wrote it (`by`, user:<id>) only when identities may be shown. */
function reviewView(review: IncidentReview | null, ctx: ViewContext): IncidentDetail['review'] {
  if (!review || ctx.identities) return review;
  const { by: _by, ...rest } = review;
  return rest;
}

export function detailView(
  i: Incident,
  r: IncidentRecords,
  more: { timeline: IncidentTimelineEntry[]; risks: IncidentDetail['risks'] },
  ctx: ViewContext,
): IncidentDetail {
  const assessments = r.assessments.get(i.id) ?? [];
  const current = assessments.at(-1);
  return {
    ...listItem(i, r, ctx),
    description: i.description,
    source: i.source,
    externalKey: i.externalKey,
    affectedSystems: i.affectedSystems,
    products: i.products,
    customers: i.customers,
    acknowledgedAt: iso(i.acknowledgedAt),
    firstUserUpdateAt: iso(i.firstUserUpdateAt),
    adverseEventCategory: i.adverseEventCategory,
    fscaStartedAt: iso(i.fscaStartedAt),
    fscaClosedAt: iso(i.fscaClosedAt),
    review: reviewView(i.review, ctx),
    closedAt: iso(i.closedAt),
    severities: (r.severities.get(i.id) ?? []).map((s) => ({
      severity: s.severity,
      at: s.at.toISOString(),
      reason: s.reason,
      ...who(s.actor, ctx),
    })),
    timeline: more.timeline.map((t) => ({
      id: t.id,
      at: t.at.toISOString(),
      kind: t.kind,
      text: t.kind === 'assessment' && !ctx.assessment ? ASSESSMENT_WITHHELD : t.text,
      ...who(t.actor, ctx),
    })),
    assessment: current ? assessmentView(current, ctx) : null,
    assessments: assessments.length,
    notices: (r.notices.get(i.id) ?? []).map((n) => ({
      id: n.id,
      kind: n.kind,
      sentAt: n.sentAt.toISOString(),
      channel: n.channel,
      reference: n.reference,
      recipientsCount: n.recipientsCount,
      lateReason: n.lateReason,
      ...who(n.actor, ctx),
    })),
    capas: (r.capas.get(i.id) ?? []).map((c) => capaView(c, ctx)),
    risks: more.risks,
  };
}
