// View models of the auditor portal and the compliance manager's engagements page. Pure functions of the
// services' views and what the ability allows (no Nest, no TypeORM), tested beside them.
import type { ControlView, RequirementView } from '../catalog/dto/catalog.dto';
import type { Page } from '../common/http/pagination';
import type { EngagementRequestView, EngagementView } from '../engagements/dto/engagement.dto';
import type { EvidenceView } from '../evidence/dto/evidence.dto';
import type { ControlOutcomeView } from '../sweeps/dto/sweep.dto';
import { csvTime, timeHeader, type CsvColumn } from './list-csv';

/** Evidence rows per page on an audited control. */
export const EVIDENCE_PAGE = 50;

/** The pack-signing certificate as pages show it (so an auditor can compare the fingerprint in a pack). */
export interface SigningView {
  subject: string;
  fingerprintSha256: string;
  notAfter: string;
  selfSigned: boolean;
}

/** The id of a requirement's row on the framework page (refs hold dots: CC6.1 → req-CC6_1). */
export function requirementAnchor(ref: string): string {
  return `req-${ref.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The auditor's start page: their own active engagements (each with its requests) and their ended ones. */
export function auditPortalPage(input: {
  auditorUserId: string;
  engagements: EngagementView[];
  /** Null when the actor may not read requests. */
  requests: EngagementRequestView[] | null;
  can: { requestPacks: boolean; manage: boolean; readPacks: boolean };
  signing: SigningView | null;
}) {
  const own = input.engagements.filter((e) => e.auditorUserId === input.auditorUserId);
  return {
    pageTitle: 'Audit',
    active: own
      .filter((e) => e.state === 'active')
      .map((e) => ({ ...e, requests: input.requests?.filter((r) => r.engagementId === e.id) ?? [] })),
    ended: own.filter((e) => e.state !== 'active'),
    canRequestPacks: input.can.requestPacks,
    canManage: input.can.manage,
    canReadPacks: input.can.readPacks,
    signing: input.signing,
  };
}

/** A framework inside an engagement: its requirements, each with the engagement's requests on it. */
export function auditFrameworkPage(input: {
  engagement: EngagementView;
  framework: { key: string; name: string };
  requirements: Page<RequirementView>;
  requests: EngagementRequestView[];
  canRequest: boolean;
}) {
  const { engagement, framework, requirements } = input;
  return {
    pageTitle: `${framework.name} · audit`,
    engagement,
    framework: { key: framework.key, name: framework.name },
    requirements: requirements.items.map((r) => ({
      ...r,
      anchor: requirementAnchor(r.ref),
      requests: input.requests.filter((q) => q.framework === framework.key && q.requirementRef === r.ref),
    })),
    more: requirements.total > requirements.items.length,
    canRequest: input.canRequest,
  };
}

/** The requirements a control serves within the engagement's frameworks (none: the control is out of scope). */
export function controlMappingsInScope(control: ControlView, frameworks: readonly string[]) {
  return control.requirements
    .filter((r) => frameworks.includes(r.framework))
    .map((r) => ({ ...r, anchor: requirementAnchor(r.ref) }));
}

/** A control inside an engagement: where it maps, what stood in for evidence, and a page of its evidence. */
export function auditControlPage(input: {
  engagement: EngagementView;
  control: ControlView;
  mappings: ReturnType<typeof controlMappingsInScope>;
  outcomes: ControlOutcomeView[];
  evidence: Page<EvidenceView>;
}) {
  const { evidence } = input;
  const offset = evidence.offset;
  const link = (o: number) => `?offset=${o}`;
  return {
    pageTitle: `${input.control.key} · audit`,
    engagement: input.engagement,
    control: input.control,
    mappings: input.mappings,
    outcomes: input.outcomes,
    evidence: evidence.items,
    total: evidence.total,
    from: evidence.total === 0 ? 0 : offset + 1,
    to: offset + evidence.items.length,
    previous: offset > 0 ? link(Math.max(0, offset - EVIDENCE_PAGE)) : null,
    next: offset + EVIDENCE_PAGE < evidence.total ? link(offset + EVIDENCE_PAGE) : null,
  };
}

/** The compliance manager's engagements page; the form's defaults are this year (`today`, compliance zone). */
export function engagementsPage(input: {
  today: string;
  engagements: EngagementView[];
  openRequests: EngagementRequestView[];
  /** The newest answered requests, newest first, and how many there are in all. */
  answeredRequests: { items: EngagementRequestView[]; total: number };
  /** Just revoked (the redirect after the confirmation names it): the page says so. */
  revokedId?: string | null;
  auditors: { id: string; name: string }[];
  frameworks: { key: string; name: string }[];
  canAnswer: boolean;
  signing: SigningView;
}) {
  const year = input.today.slice(0, 4);
  return {
    pageTitle: 'Engagements',
    engagements: input.engagements,
    requests: input.openRequests,
    answered: input.answeredRequests.items,
    answeredMore: input.answeredRequests.total - input.answeredRequests.items.length,
    revoked: input.engagements.find((e) => e.id === input.revokedId && e.state === 'revoked') ?? null,
    auditors: input.auditors,
    frameworks: input.frameworks.map((f) => ({ key: f.key, name: f.name })),
    defaults: { from: `${year}-01-01`, to: `${year}-12-31`, expires: `${Number(year) + 1}-03-31` },
    canAnswer: input.canAnswer,
    signing: input.signing,
  };
}

/** The engagements as CSV: who, which frameworks and period, until when, and their state. */
export const ENGAGEMENT_CSV_COLUMNS: CsvColumn<EngagementView>[] = [
  { header: 'Auditor', value: (e) => e.auditorName },
  { header: 'Frameworks', value: (e) => e.frameworks.join(', ') },
  { header: 'From', value: (e) => e.from },
  { header: 'To', value: (e) => e.to },
  { header: timeHeader('Access ends'), value: (e) => csvTime(e.expiresAt) },
  { header: 'State', value: (e) => e.state },
  { header: timeHeader('Opened'), value: (e) => csvTime(e.createdAt) },
  { header: timeHeader('Revoked'), value: (e) => csvTime(e.revokedAt) },
];

/** Every auditor request with its answer: the whole history, which the page shows only the newest of. */
export const ENGAGEMENT_REQUEST_CSV_COLUMNS: CsvColumn<EngagementRequestView>[] = [
  { header: 'Framework', value: (r) => r.framework },
  { header: 'Requirement', value: (r) => r.requirementRef },
  { header: 'Request', value: (r) => r.body },
  { header: 'Asked by', value: (r) => r.createdByName },
  { header: timeHeader('Asked'), value: (r) => csvTime(r.createdAt) },
  { header: 'Status', value: (r) => r.status },
  { header: 'Answer', value: (r) => r.answer },
  { header: 'Answered by', value: (r) => r.answeredByName },
  { header: timeHeader('Answered'), value: (r) => csvTime(r.answeredAt) },
];

/** The confirmation step before an engagement is revoked (one that has already ended has nothing to revoke). */
export function revokePage(engagement: EngagementView) {
  return {
    pageTitle: 'Revoke an engagement',
    engagement,
    active: engagement.state === 'active',
  };
}
