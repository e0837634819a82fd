// Which approvals a version of each document type needs (controls/document-types.yaml), and whether the
// signatures given so far reach that quorum. Pure.

/** Roles that may be named as approvers (auditors and viewers never approve). */
export const APPROVER_ROLES = ['admin', 'compliance_manager', 'control_owner', 'privacy_officer'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/**
 * One approval a document type requires: someone with the role, and/or someone of the department
 * (`owner`: the document's owner department). Both given: both must hold for the same person.
 */
export interface ApproverSlot {
  role?: ApproverRole;
  department?: string;
}

export interface DocumentTypePolicy {
  /** Default review cadence of a new document of the type, in months. */
  reviewCadenceMonths: number;
  /** Days to acknowledge a material version of the type; unset: DEFAULT_ACKNOWLEDGE_WITHIN_DAYS (14). */
  acknowledgeWithinDays?: number;
  /** Each entry is one distinct person's `approved` signature. */
  approvers: ApproverSlot[];
}

/** The person who signs, as the approval rules see them. */
export interface Signer {
  userId: string;
  role: string;
  departmentKey: string | null;
}

/** Whether `signer` can fill `slot` for a document owned by `ownerDepartment`. */
export function fills(slot: ApproverSlot, signer: Signer, ownerDepartment: string): boolean {
  if (!(APPROVER_ROLES as readonly string[]).includes(signer.role)) return false;
  if (slot.role && slot.role !== signer.role) return false;
  if (slot.department) {
    const department = slot.department === 'owner' ? ownerDepartment : slot.department;
    if (signer.departmentKey !== department) return false;
  }
  return true;
}

/** Whether the signer is one of the approvers the type asks for at all (may sign a version of it). */
export function isApprover(policy: DocumentTypePolicy, signer: Signer, ownerDepartment: string): boolean {
  return policy.approvers.some((s) => fills(s, signer, ownerDepartment));
}

export interface QuorumState {
  met: boolean;
  /** The slots no distinct approver fills yet. */
  missing: ApproverSlot[];
}

/**
 * Whether distinct approvers fill every slot: a maximum matching of signers to slots (one person fills one
 * slot), so the order of signatures never decides the outcome. Signers are distinct people.
 */
export function quorum(policy: DocumentTypePolicy, approvers: Signer[], ownerDepartment: string): QuorumState {
  const people = [...new Map(approvers.map((a) => [a.userId, a])).values()];
  const holder: (number | null)[] = policy.approvers.map(() => null);
  const tryAssign = (p: number, seen: Set<number>): boolean => {
    for (let s = 0; s < policy.approvers.length; s++) {
      if (seen.has(s) || !fills(policy.approvers[s], people[p], ownerDepartment)) continue;
      seen.add(s);
      const current = holder[s];
      if (current === null || tryAssign(current, seen)) {
        holder[s] = p;
        return true;
      }
    }
    return false;
  };
  people.forEach((_, p) => tryAssign(p, new Set()));
  const missing = policy.approvers.filter((_, s) => holder[s] === null);
  return { met: missing.length === 0, missing };
}

/** A slot in words: "compliance_manager", "someone of the owner department", "control_owner of clinical". */
export function describeSlot(slot: ApproverSlot): string {
  const department = slot.department === 'owner' ? 'the owner department' : slot.department;
  if (slot.role && department) return `a ${slot.role} of ${department}`;
  if (slot.role) return `a ${slot.role}`;
  return `someone of ${department}`;
}

export interface DocumentTypesProblem {
  path: (string | number)[];
  message: string;
}

/** Rules beyond the schema: every type defined, each with at least one approver, each approver someone. */
export function validateDocumentTypes(
  types: Record<string, DocumentTypePolicy>,
  known: readonly string[],
): DocumentTypesProblem[] {
  const problems: DocumentTypesProblem[] = [];
  for (const type of known)
    if (!types[type]) problems.push({ path: ['types'], message: `type "${type}" is not defined` });
  for (const [type, policy] of Object.entries(types)) {
    if (!known.includes(type))
      problems.push({ path: ['types', type], message: `"${type}" is not a document type (${known.join(', ')})` });
    if (policy.approvers.length === 0)
      problems.push({ path: ['types', type, 'approvers'], message: 'must name at least one approver' });
    policy.approvers.forEach((slot, i) => {
      if (!slot.role && !slot.department)
        problems.push({ path: ['types', type, 'approvers', i], message: 'must name a role, a department, or both' });
    });
  }
  return problems;
}
