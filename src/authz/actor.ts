// Who is acting: a signed-in user (session cookie or API token), or the system itself (CLI, jobs).
// Built fresh from the users table on every request, so a role change or deactivation applies at once.

export const ROLES = ['admin', 'compliance_manager', 'control_owner', 'privacy_officer', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The user of a session or API token as authentication reads it with the credential (one query). */
export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  departmentId: string | null;
  departmentKey: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

export interface UserActor {
  kind: 'user';
  id: string;
  email: string;
  name: string;
  role: Role;
  departmentId: string | null;
  departmentKey: string | null;
  /** How the request authenticated. */
  via: 'session' | 'token';
  /** The session's id when `via` is 'session' (a password change keeps this one and ends the others). */
  sessionId?: string;
  /**
   * Auditors only: their engagements that are active at this request (not revoked, not expired), loaded
   * with the actor on every request, so expiry ends access by itself. Absent or empty: no engagement.
   */
  engagements?: ActorEngagement[];
}

/** What an active auditor engagement opens (see the auditor rules in authz/ability.factory.ts). */
export interface ActorEngagement {
  id: string;
  /** Framework keys in scope. */
  frameworks: string[];
  /** The audit period, Asia/Bangkok days (YYYY-MM-DD), both included. */
  from: string;
  to: string;
  expiresAt: Date;
  /** Ids of the controls mapped to the frameworks in scope (evidence is in scope through its controls). */
  controlIds: string[];
}

export interface SystemActor {
  kind: 'system';
  /** What acted, e.g. `cli`, `job:weekly-sweep`, `seed`. */
  name: string;
}

export type Actor = UserActor | SystemActor;

export const systemActor = (name: string): SystemActor => ({ kind: 'system', name });

/** Pseudonymous reference stored in the audit trail: never an e-mail address or a name. */
export function actorRef(actor: Actor | null): string {
  if (!actor) return 'anonymous';
  return actor.kind === 'user' ? `user:${actor.id}` : `system:${actor.name}`;
}
