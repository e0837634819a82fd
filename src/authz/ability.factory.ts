// The one place where authorization rules are written. Every route guard, row check, SQL list filter
// and response field filter derives from the ability built here.
import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import type { Actor, UserActor } from './actor';
import { formatWeek, isoWeekOfDate, parseDate } from '../common/time/calendar';
import type { Action, SubjectType } from './subjects';
import { DAY_MS, startOfDay } from '../common/time/days';

/** A row of a subject type, tagged for CASL with `subject('User', row)`. */
export type AppAbility = MongoAbility<[Action, SubjectType | Record<PropertyKey, unknown>], MongoQuery>;

/** Fields of a User that only admins and compliance managers may read (employee monitoring data). */
export const USER_ACTIVITY_FIELDS = ['createdAt', 'updatedAt', 'lastLoginAt'] as const;
export const USER_FIELDS = [
  'id',
  'email',
  'name',
  'role',
  'departmentId',
  'departmentKey',
  'active',
  ...USER_ACTIVITY_FIELDS,
] as const;

/** A DSR's subject identity: only privacy officers and admins read these fields. */
export const DSR_IDENTITY_FIELDS = ['subject', 'requester', 'changes', 'verificationReference'] as const;

/** Who reported, commands or acted on an incident: an auditor reads the reporter's role, never who. */
export const INCIDENT_IDENTITY_FIELDS = ['reporterUserId', 'commanderUserId', 'people'] as const;

/** The catalog is readable by every role (auditors included, before any engagement). */
const CATALOG: SubjectType[] = ['Framework', 'Requirement', 'Control'];

type Can = AbilityBuilder<AppAbility>['can'];
type Cannot = AbilityBuilder<AppAbility>['cannot'];

/**
 * Which frameworks each engagement-scoped resource belongs to (README "Auditor engagements"). Evidence
 * belongs to the frameworks its controls map to and a sweep task to those of its control (both through
 * `ActorEngagement.controlIds`); the rest are decided here, not derived from the catalog, because the
 * catalog also maps the ISO 14971 review control (CLS-02) to SOC 2 CC3.2, which must not open the hazard
 * file to a SOC 2 auditor:
 * - the ISO 14971 register is the risk management file: ISO 14971, and the SaMD obligations (IEC 62304
 *   clause 7 runs its software risk management inside that file);
 * - the security register is SOC 2's risk assessment (CC3);
 * - DSRs and drills are PDPA's, and SOC 2's privacy criteria: the catalog maps their controls there
 *   (PRV-01, the register: P5.1, P5.2, P6.7; PRV-03, the drill: P5.1, P4.3). A SOC 2 engagement here covers
 *   every trust services category, privacy included.
 */
export const ENGAGEMENT_RESOURCE_FRAMEWORKS = {
  iso14971Register: ['iso14971', 'samd'],
  securityRegister: ['soc2'],
  dsr: ['pdpa', 'soc2'],
  incidents: ['soc2', 'pdpa', 'samd', 'iso14971'],
  // Policies and their approvals are sampled by every framework here (SOC 2 CC1.4/CC2.2/CC5.3, PDPA's
  // privacy policy, ISO 13485 4.2.4 document control for the SaMD and ISO 14971 plans).
  documents: ['soc2', 'pdpa', 'samd', 'iso14971'],
  // Release records and their gates: SOC 2 CC8.1 (change management), IEC 62304 5.8 and ISO 14971 clause 9.
  releases: ['soc2', 'samd', 'iso14971'],
  // Security findings and their fixes: SOC 2 CC7.1 (vulnerabilities), IEC 62304 maintenance, ISO 14971.
  findings: ['soc2', 'samd', 'iso14971'],
  // The keys register: SOC 2 CC6.1/CC6.7 (ACC-04, key rotation).
  keys: ['soc2'],
} as const satisfies Record<string, readonly string[]>;

/** The risk registers an engagement's frameworks open. */
export function registersInScope(frameworks: readonly string[]): ('iso14971' | 'security')[] {
  const has = (keys: readonly string[]) => keys.some((k) => frameworks.includes(k));
  return [
    ...(has(ENGAGEMENT_RESOURCE_FRAMEWORKS.iso14971Register) ? ['iso14971' as const] : []),
    ...(has(ENGAGEMENT_RESOURCE_FRAMEWORKS.securityRegister) ? ['security' as const] : []),
  ];
}

/** The ISO weeks (`2026-W01`) whose days touch the period from..to: first and last. */
function weeksOf(from: string, to: string): { $gte: string; $lte: string } {
  return { $gte: formatWeek(isoWeekOfDate(parseDate(from))), $lte: formatWeek(isoWeekOfDate(parseDate(to))) };
}

/**
 * An auditor reads, never writes, and only inside an engagement that is active now (not revoked, not
 * expired: `actor.engagements` is loaded on every request, so expiry ends access by itself). Every read is
 * scoped by an engagement — its period (Asia/Bangkok days, `start` ≤ t < `end`) and its frameworks — and
 * each engagement opens its own period for its own frameworks (never their cross product):
 * - evidence (metadata and files) dated within the period and linked to a control of a framework in scope
 *   (`controlIds`: the evidence module puts the item's control ids on the row it checks and compiles the
 *   condition to its link table in SQL) — the audit pack's selection;
 * - sweeps of the ISO weeks touching the period (`week`), and in them the tasks of controls in scope
 *   (`SweepTask`: `controlId`, and the sweep's `week`); posture of the frameworks in scope (`Posture`
 *   `{ framework }`), and a sweep's progress counted over the tasks in scope (`Posture` `{ controlId, week }`);
 * - the risk registers in scope (`registersInScope`), each risk as it stood within the period: a risk
 *   created before the period's end (`Risk`), shown as its newest version dated before the end, with its
 *   history up to the end (`RiskVersion`), and the quarterly reviews completed within the period (`RiskReview`);
 * - DSRs received within the period, without subject identity, and drills run within it, when a framework
 *   in scope holds them (`ENGAGEMENT_RESOURCE_FRAMEWORKS.dsr`);
 * - audit packs whose framework and period lie inside an engagement: reading them, and asking for one
 *   (`asSubject('AuditPack', { engagementId, framework, periodFrom, periodTo })`);
 * - requests/comments on requirements within their engagements, and their own engagements (always).
 */
function auditorRules(actor: UserActor, can: Can, cannot: Cannot): void {
  can('read', 'Engagement', { auditorUserId: actor.id });
  const active = actor.engagements ?? [];
  if (active.length === 0) return;
  const ids = active.map((e) => e.id);
  for (const e of active) {
    const start = startOfDay(e.from);
    const end = new Date(startOfDay(e.to).getTime() + DAY_MS);
    const week = weeksOf(e.from, e.to);
    can('read', 'Evidence', { evidenceDate: { $gte: start, $lt: end }, controlIds: { $in: e.controlIds } });
    can('read', 'Sweep', { week });
    can('read', 'SweepTask', { controlId: { $in: e.controlIds }, week });
    can('read', 'Posture', { framework: { $in: e.frameworks } });
    can('read', 'Posture', { controlId: { $in: e.controlIds }, week });
    const registers = registersInScope(e.frameworks);
    if (registers.length) {
      can('read', 'Risk', { register: { $in: registers }, createdAt: { $lt: end } });
      can('read', 'RiskVersion', { register: { $in: registers }, at: { $lt: end } });
      can('read', 'RiskReview', { register: { $in: registers }, reviewedAt: { $gte: start, $lt: end } });
    }
    if (ENGAGEMENT_RESOURCE_FRAMEWORKS.dsr.some((k) => e.frameworks.includes(k))) {
      can('read', 'DsrRequest', { receivedAt: { $gte: start, $lt: end } });
      can('read', 'DsrDrill', { startedAt: { $gte: start, $lt: end } });
    }
    // Incidents the company became aware of within the period: SOC 2 CC7.3-CC7.5, PDPA s. 37(4), SaMD
    // vigilance and ISO 14971 clause 10 all sample them.
    if (ENGAGEMENT_RESOURCE_FRAMEWORKS.incidents.some((k) => e.frameworks.includes(k)))
      can('read', 'Incident', { awareAt: { $gte: start, $lt: end } });
    // Controlled documents published before the period's end, and their versions published before it (the
    // service shows an auditor only published versions, with their approvals).
    if (ENGAGEMENT_RESOURCE_FRAMEWORKS.documents.some((k) => e.frameworks.includes(k))) {
      // `$ne: null` first: CASL compares in JavaScript, where null < a date is true.
      can('read', 'Document', { firstPublishedAt: { $ne: null, $lt: end } });
      can('read', 'DocumentVersion', { publishedAt: { $ne: null, $lt: end } });
      can('read', 'DocumentAcknowledgement', { firstPublishedAt: { $ne: null, $lt: end } });
    }
    // Releases built within the period, with their gates and signatures.
    if (ENGAGEMENT_RESOURCE_FRAMEWORKS.releases.some((k) => e.frameworks.includes(k)))
      can('read', 'Release', { builtAt: { $gte: start, $lt: end } });
    // Findings open at any time during the period: opened before its end and not closed before its start,
    // the same set as the audit pack's findings register (read only, no pen-test register).
    if (ENGAGEMENT_RESOURCE_FRAMEWORKS.findings.some((k) => e.frameworks.includes(k))) {
      can('read', 'Finding', { openedAt: { $lt: end }, closedAt: null });
      can('read', 'Finding', { openedAt: { $lt: end }, closedAt: { $ne: null, $gte: start } });
    }
    // The keys register as it stood in the period: keys registered before its end, rotations recorded in it.
    if (ENGAGEMENT_RESOURCE_FRAMEWORKS.keys.some((k) => e.frameworks.includes(k))) {
      can('read', 'Key', { createdAt: { $lt: end } });
      can('read', 'KeyRotation', { rotatedAt: { $lt: end } });
    }
    // Packs: the scope (a framework, a period) must lie inside the engagement. Reading goes by scope, not
    // by who asked, so an auditor also reads a pack they joined that a compliance manager started.
    const scope = { framework: { $in: e.frameworks }, periodFrom: { $gte: e.from }, periodTo: { $lte: e.to } };
    can('read', 'AuditPack', scope);
    can('create', 'AuditPack', { ...scope, engagementId: e.id });
  }
  cannot('read', 'DsrRequest', [...DSR_IDENTITY_FIELDS]);
  cannot('read', 'Incident', [...INCIDENT_IDENTITY_FIELDS]);
  can(['read', 'create'], 'EngagementRequest', { engagementId: { $in: ids } });
}

/**
 * The fields of a user actor the rules below read: the ability is a pure function of them. If a rule
 * starts reading another field, add it here (ability.factory.spec.ts checks every role's rules read no other).
 */
export const ABILITY_ACTOR_FIELDS = ['id', 'role', 'departmentId', 'departmentKey', 'engagements'] as const;

/**
 * The ability of an actor: built once per actor object and kept with it. An actor is loaded fresh from the
 * database on every request (a role change, a deactivation or an engagement's expiry applies at the next
 * request), so this is the request's one ability: the guard, the services' row checks and SQL filters, and
 * the pages all read the same object. Nothing mutates an actor or an ability after it is built.
 *
 * Building one costs more than the rest of a small request's authorization, so abilities are also kept by
 * the content of `ABILITY_ACTOR_FIELDS` (the same user with the same role, department and active
 * engagements gets the same rules): the next request of a user whose role, department or engagements
 * changed has another key and gets a freshly built ability at once; a revoked session or a deactivated
 * user is refused by authentication before any ability is asked for.
 */
export function abilityFor(actor: Actor): AppAbility {
  let ability = built.get(actor);
  if (!ability) {
    ability = actor.kind === 'user' ? cachedUserAbility(actor) : SYSTEM_ABILITY;
    built.set(actor, ability);
  }
  return ability;
}

const built = new WeakMap<Actor, AppAbility>();

/** Abilities by actor content, the least recently used dropped first beyond `ABILITY_CACHE_SIZE`. */
const byContent = new Map<string, AppAbility>();
export const ABILITY_CACHE_SIZE = 1000;

function cachedUserAbility(actor: UserActor): AppAbility {
  const key = JSON.stringify(ABILITY_ACTOR_FIELDS.map((field) => actor[field] ?? null));
  let ability = byContent.get(key);
  if (ability)
    byContent.delete(key); // re-inserted below as the most recently used
  else {
    ability = userAbility(actor);
    if (byContent.size >= ABILITY_CACHE_SIZE) byContent.delete(byContent.keys().next().value as string);
  }
  byContent.set(key, ability);
  return ability;
}

/**
 * The system itself (the CLI, scheduled jobs, the seed): it may do anything a service offers, so services
 * check it like anyone else instead of skipping checks for it. It still never rewrites evidence (immutable
 * for everyone) and writes the audit trail only by appending through the trail service.
 */
function systemAbility(): AppAbility {
  const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  can('manage', 'all' as SubjectType);
  cannot(['create', 'update', 'delete'], 'AuditLog');
  cannot(['update', 'delete'], 'Evidence');
  return build({ detectSubjectType });
}

const detectSubjectType = (o: object): SubjectType =>
  (o as { __caslSubjectType__?: SubjectType }).__caslSubjectType__ ?? ('unknown' as SubjectType);

const SYSTEM_ABILITY = systemAbility();

/**
 * Incidents. Anyone signed in reports, and reads what they reported. Compliance managers and admins manage
 * them all (`manage all`), but the breach assessment and the notices outside belong to the privacy officer
 * (PDPA: every incident involving personal data is theirs) and the clinical control owners (the Thai FDA
 * reports of clinical-safety incidents). Control owners and privacy officers read what they are assigned
 * to (as commander, or owner of a corrective action; `capaOwnerUserIds` is compiled to the CAPA table by
 * the repository); the commander runs the incident.
 */
function incidentRules(actor: UserActor, can: Can, cannot: Cannot): void {
  can('create', 'Incident');
  can('read', 'Incident', { reporterUserId: actor.id });
  if (actor.role === 'compliance_manager') cannot('create', ['BreachAssessment', 'IncidentNotice']);
  if (actor.role !== 'control_owner' && actor.role !== 'privacy_officer') return;
  can('read', 'Incident', { capaOwnerUserIds: actor.id });
  can(['read', 'update'], 'Incident', { commanderUserId: actor.id });
  can(['read', 'update'], 'IncidentCapa', { ownerUserId: actor.id });
  if (actor.role === 'privacy_officer') {
    can(['read', 'update'], 'Incident', { personalData: true });
    can(['read', 'create'], 'BreachAssessment');
    can('create', 'IncidentNotice', { authority: 'pdpa' });
  }
  if (actor.departmentKey === 'clinical') {
    can(['read', 'update'], 'Incident', { clinicalSafety: true });
    can('create', 'IncidentNotice', { authority: 'thai_fda' });
  }
}

/**
 * Controlled documents. Compliance managers and admins manage them all (`manage all`). Control owners and
 * privacy officers draft, change and submit their own department's documents and read every version of
 * them; they may be asked to sign (`DocumentSignature`: whether they are an approver of the type is the
 * documents service's check, from controls/document-types.yaml). Everyone but auditors reads the published
 * versions of the documents that apply to them (everyone, their role, or their department) and acknowledges
 * its own acknowledgement tasks; rosters (`DocumentAcknowledgement` as `{ ownerDepartment, firstPublishedAt }`)
 * are the owner department's, and auditors read documents and rosters inside an engagement (auditorRules).
 */
function documentRules(actor: UserActor, can: Can): void {
  if (actor.role === 'auditor') return;
  const audiences: Record<string, unknown>[] = [{ audienceEveryone: true }, { audienceRoles: actor.role }];
  if (actor.departmentKey) audiences.push({ audienceDepartments: actor.departmentKey });
  for (const audience of audiences) {
    can('read', 'Document', { publishedVersion: { $ne: null }, ...audience });
    can('read', 'DocumentVersion', { publishedAt: { $ne: null }, ...audience });
  }
  // Acknowledgements: one's own tasks (read, acknowledge); a roster is the subject without a person.
  can(['read', 'update'], 'DocumentAcknowledgement', { userId: actor.id });
  if (actor.role !== 'control_owner' && actor.role !== 'privacy_officer') return;
  if (actor.departmentKey) {
    const own = { ownerDepartment: actor.departmentKey };
    can(['read', 'create', 'update'], ['Document', 'DocumentVersion'], own);
    can('read', 'DocumentAcknowledgement', own);
  }
  can('create', 'DocumentSignature');
}

/**
 * Findings (pen test, scanners, manual): control owners and privacy officers manage those of their own
 * department (`department`, a department key); engineering, and CI with its API tokens, imports scanner
 * reports and records pen tests. Risk acceptances are signed by compliance managers and admins only
 * (`manage all`); auditors read findings inside an engagement (auditorRules); viewers none.
 */
function findingRules(actor: UserActor, can: Can): void {
  if (actor.role !== 'control_owner' && actor.role !== 'privacy_officer') return;
  if (actor.departmentKey) can(['read', 'create', 'update'], 'Finding', { department: actor.departmentKey });
  can('read', 'PenTest');
  if (actor.departmentKey === 'engineering') {
    can('create', 'FindingImport');
    can('create', 'PenTest');
  }
}

/**
 * Keys and credentials (issue 18): the control owners of a key's department manage its keys and record or
 * attest their rotations (CI records them with such an owner's API token). Compliance managers and admins
 * manage all (`manage all`); auditors read inside an engagement (auditorRules); viewers nothing.
 */
function keyRules(actor: UserActor, can: Can): void {
  if (actor.role !== 'control_owner' || !actor.departmentKey) return;
  const department = { department: actor.departmentKey };
  can(['read', 'create', 'update'], 'Key', department);
  can(['read', 'create'], 'KeyRotation', department);
}

/** Rules that hold for every role, admins included, after the role's own. */
function everyoneRules(actor: UserActor, can: Can, cannot: Cannot): void {
  incidentRules(actor, can, cannot);
  documentRules(actor, can);
  findingRules(actor, can);
  keyRules(actor, can);
  // Nobody, not even an admin, writes the audit trail through the API: only services append to it.
  cannot(['create', 'update', 'delete'], 'AuditLog');
  // Evidence is immutable: a correction is a new item that supersedes the old one.
  cannot(['update', 'delete'], 'Evidence');

  // Acknowledging a document is personal: nobody, not even an admin, acknowledges for someone else.
  cannot('update', 'DocumentAcknowledgement', { userId: { $ne: actor.id } });

  // Notifications are personal (every role reads and marks its own); modules raise them, not the API.
  cannot('manage', 'Notification');
  can(['read', 'update'], 'Notification', { recipientUserId: actor.id });
}

function userAbility(actor: UserActor): AppAbility {
  const { can, cannot, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  const own = { userId: actor.id };

  switch (actor.role) {
    case 'admin':
      can('manage', 'all' as SubjectType);
      break;

    case 'compliance_manager':
      // Everything except managing users (and other people's tokens).
      can('manage', 'all' as SubjectType);
      cannot(['create', 'update', 'delete'], 'User');
      cannot('manage', 'ApiToken');
      can(['read', 'create', 'delete'], 'ApiToken', own);
      // DSRs: the register and its clocks, never the subject's identity; the privacy officer executes them.
      cannot(['create', 'update', 'delete'], ['DsrRequest', 'DataSystem', 'DsrTask']);
      cannot('read', 'DsrRequest', [...DSR_IDENTITY_FIELDS]);
      // Engagement requests are the auditor's to raise; the compliance manager answers them.
      cannot('create', 'EngagementRequest');
      break;

    case 'control_owner':
    case 'privacy_officer': {
      // Colleagues of their own department (active ones), and themselves; never activity fields.
      const readable = USER_FIELDS.filter((f) => !(USER_ACTIVITY_FIELDS as readonly string[]).includes(f));
      if (actor.departmentId) can('read', 'User', readable, { departmentId: actor.departmentId });
      cannot('read', 'User', { active: false });
      can('read', 'User', readable, { id: actor.id });
      can(['read', 'create', 'delete'], 'ApiToken', own);
      can('read', ['Department', ...CATALOG]);
      // Evidence: read all; create only for controls they own (a person, or their department). The service
      // checks each linked control as the subject `asSubject('Evidence', { ownerUserId, ownerDepartment })`.
      can('read', 'Evidence');
      can('create', 'Evidence', { ownerUserId: actor.id });
      if (actor.departmentKey) can('create', 'Evidence', { ownerDepartment: actor.departmentKey });
      // Sweep tasks of their controls: assigned to them, or to their department when no person is.
      can('read', ['Sweep', 'Posture']);
      can(['read', 'update'], 'SweepTask', { ownerUserId: actor.id });
      if (actor.departmentKey)
        can(['read', 'update'], 'SweepTask', { ownerUserId: null, ownerDepartment: actor.departmentKey });
      // DSRs: the privacy officer runs them (identity included); manual DSR tasks go to a named owner.
      if (actor.role === 'privacy_officer') can('manage', ['DsrRequest', 'DataSystem', 'DsrDrill', 'DsrTask']);
      can(['read', 'update'], 'DsrTask', { ownerUserId: actor.id });
      if (actor.departmentKey)
        can(['read', 'update'], 'DsrTask', { ownerUserId: null, ownerDepartment: actor.departmentKey });
      // ISO 14971 risks they own: privacy officers, and control owners of the clinical department.
      if (actor.role === 'privacy_officer' || actor.departmentKey === 'clinical') {
        can(['read', 'create', 'update'], 'Risk', { register: 'iso14971', ownerUserId: actor.id });
        // The history of a risk they read (reached through the risk), and the register's reviews.
        can('read', ['RiskVersion', 'RiskReview'], { register: 'iso14971' });
      }
      // Risk management plans per product: read by those who hold ISO 14971 risks; written by the clinical
      // department, which keeps the plan and the residual-risk statement (CLS-01, CLS-04).
      if (actor.role === 'privacy_officer' || actor.departmentKey === 'clinical') can('read', 'RiskPlan');
      if (actor.departmentKey === 'clinical') can('update', 'RiskPlan');
      // Releases: everyone who may be asked to sign a gate reads them; engineering (its people, and CI with
      // their API tokens) creates them and attaches files. Whether a person may sign a given gate is the
      // gate's signer list in controls/release-gates.yaml, checked by the service.
      can('read', 'Release');
      if (actor.departmentKey === 'engineering') can(['create', 'update'], 'Release');
      can('create', 'ReleaseSignature');
      break;
    }

    case 'auditor':
    case 'viewer': {
      // Viewers see posture and the catalog. Auditors see the catalog, and more only inside an engagement.
      const readable = USER_FIELDS.filter((f) => !(USER_ACTIVITY_FIELDS as readonly string[]).includes(f));
      can('read', 'User', readable, { id: actor.id });
      can(['read', 'create', 'delete'], 'ApiToken', own);
      can('read', ['Department', ...CATALOG]);
      if (actor.role === 'viewer') can('read', 'Posture');
      if (actor.role === 'auditor') auditorRules(actor, can, cannot);
      break;
    }
  }

  everyoneRules(actor, can, cannot);
  return build({ detectSubjectType });
}
