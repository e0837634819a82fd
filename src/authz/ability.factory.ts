// The one place where authorization rules are written. Every route guard, row check, SQL list filter
// and response field filter derives from the ability built here.
import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import type { UserActor } from '../identity/actor';
import type { Action, SubjectType } from './subjects';

/** A row of a subject type, tagged for CASL with `subject('User', row)`. */
export type AppAbility = MongoAbility<[Action, SubjectType | Record<PropertyKey, unknown>], MongoQuery>;

/** Fields of a User that only admins and compliance managers may read (employee monitoring data). */
export const USER_ACTIVITY_FIELDS = ['createdAt', 'updatedAt', 'lastLoginAt'] as const;
export const USER_FIELDS = ['id', 'email', 'name', 'role', 'departmentId', 'departmentKey', 'active', ...USER_ACTIVITY_FIELDS] as const;

/** A DSR's subject identity: only privacy officers and admins read these fields. */
export const DSR_IDENTITY_FIELDS = ['subject', 'requester', 'changes', 'verificationReference'] as const;

/** The catalog is readable by every role (auditors included, before any engagement). */
const CATALOG: SubjectType[] = ['Framework', 'Requirement', 'Control'];

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
      // Until engagements exist, auditors see nothing outside the catalog; viewers only posture and catalog.
      const readable = USER_FIELDS.filter((f) => !(USER_ACTIVITY_FIELDS as readonly string[]).includes(f));
      can('read', 'User', readable, { id: actor.id });
      can(['read', 'create', 'delete'], 'ApiToken', own);
      can('read', ['Department', ...CATALOG]);
      if (actor.role === 'viewer') can('read', 'Posture');
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
