// The one place where authorization rules are written. Every route guard, row check, SQL list filter
// and response field filter derives from the ability built here.
import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import type { UserActor } from '../identity/actor';
import { startOfBangkokDay } from '../evidence/domain/evidence-dates';
import type { Action, SubjectType } from './subjects';

const DAY_MS = 86_400_000;

/** A row of a subject type, tagged for CASL with `subject('User', row)`. */
export type AppAbility = MongoAbility<[Action, SubjectType | Record<PropertyKey, unknown>], MongoQuery>;

/** Fields of a User that only admins and compliance managers may read (employee monitoring data). */
export const USER_ACTIVITY_FIELDS = ['createdAt', 'updatedAt', 'lastLoginAt'] as const;
export const USER_FIELDS = ['id', 'email', 'name', 'role', 'departmentId', 'departmentKey', 'active', ...USER_ACTIVITY_FIELDS] as const;

/** A DSR's subject identity: only privacy officers and admins read these fields. */
export const DSR_IDENTITY_FIELDS = ['subject', 'requester', 'changes', 'verificationReference'] as const;

/** The catalog is readable by every role (auditors included, before any engagement). */
const CATALOG: SubjectType[] = ['Framework', 'Requirement', 'Control'];

type Can = AbilityBuilder<AppAbility>['can'];
type Cannot = AbilityBuilder<AppAbility>['cannot'];

/**
 * An auditor reads, never writes, and only inside an engagement that is active now (not revoked, not
 * expired: `actor.engagements` is loaded on every request, so expiry ends access by itself):
 * - evidence (metadata and files) dated within the engagement's period (Asia/Bangkok days) and linked to
 *   a control of a framework in scope (`controlIds`: the evidence module puts the item's control ids on
 *   the row it checks and compiles the condition to its link table in SQL) — the audit pack's selection;
 * - sweeps, posture, risk registers, DSR drill results and the DSR register without subject identity;
 * - audit packs whose framework and period lie inside an engagement: reading them, and asking for one
 *   (`asSubject('AuditPack', { engagementId, framework, periodFrom, periodTo })`);
 * - requests/comments on requirements within their engagements, and their own engagements (always).
 */
function auditorRules(actor: UserActor, can: Can, cannot: Cannot): void {
  can('read', 'Engagement', { auditorUserId: actor.id });
  const active = actor.engagements ?? [];
  if (active.length === 0) return;
  const ids = active.map((e) => e.id);
  can('read', ['Sweep', 'Posture', 'Risk', 'DsrDrill', 'DsrRequest']);
  cannot('read', 'DsrRequest', [...DSR_IDENTITY_FIELDS]);
  for (const e of active) {
    can('read', 'Evidence', {
      evidenceDate: { $gte: startOfBangkokDay(e.from), $lt: new Date(startOfBangkokDay(e.to).getTime() + DAY_MS) },
      controlIds: { $in: e.controlIds },
    });
    // Packs: the scope (a framework, a period) must lie inside the engagement. Reading goes by scope, not
    // by who asked, so an auditor also reads a pack they joined that a compliance manager started.
    const scope = { framework: { $in: e.frameworks }, periodFrom: { $gte: e.from }, periodTo: { $lte: e.to } };
    can('read', 'AuditPack', scope);
    can('create', 'AuditPack', { ...scope, engagementId: e.id });
  }
  can(['read', 'create'], 'EngagementRequest', { engagementId: { $in: ids } });
}

export function abilityFor(actor: UserActor): AppAbility {
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
      if (actor.departmentKey) can(['read', 'update'], 'SweepTask', { ownerUserId: null, ownerDepartment: actor.departmentKey });
      // DSRs: the privacy officer runs them (identity included); manual DSR tasks go to a named owner.
      if (actor.role === 'privacy_officer') can('manage', ['DsrRequest', 'DataSystem', 'DsrDrill', 'DsrTask']);
      can(['read', 'update'], 'DsrTask', { ownerUserId: actor.id });
      if (actor.departmentKey) can(['read', 'update'], 'DsrTask', { ownerUserId: null, ownerDepartment: actor.departmentKey });
      // ISO 14971 risks they own: privacy officers, and control owners of the clinical department.
      if (actor.role === 'privacy_officer' || actor.departmentKey === 'clinical') can(['read', 'create', 'update'], 'Risk', { register: 'iso14971', ownerUserId: actor.id });
      // Risk management plans per product: read by those who hold ISO 14971 risks; written by the clinical
      // department, which keeps the plan and the residual-risk statement (CLS-01, CLS-04).
      if (actor.role === 'privacy_officer' || actor.departmentKey === 'clinical') can('read', 'RiskPlan');
      if (actor.departmentKey === 'clinical') can('update', 'RiskPlan');
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

  // Nobody, not even an admin, writes the audit trail through the API: only services append to it.
  cannot(['create', 'update', 'delete'], 'AuditLog');
  // Evidence is immutable: a correction is a new item that supersedes the old one.
  cannot(['update', 'delete'], 'Evidence');

  // Notifications are personal: every role, admins included, reads and marks read only their own; nobody
  // creates or deletes them through the API (modules raise them through NotificationsService).
  cannot('manage', 'Notification');
  can(['read', 'update'], 'Notification', { recipientUserId: actor.id });

  return build({ detectSubjectType: (o) => (o as { __caslSubjectType__?: SubjectType }).__caslSubjectType__ ?? ('unknown' as SubjectType) });
}
