// Segregation of duties for control ownership. Pure: derived from the one ability, no Nest, no TypeORM.
import type { Role } from './actor';
import { abilityFor } from './ability.factory';
import { asSubject } from './subject';

/** What is known of a person who might own a control. */
export interface OwnerCandidate {
  id: string;
  role: Role;
  departmentId: string | null;
  departmentKey: string | null;
}

/**
 * Whether a person may be the one accountable for a control: only someone who may complete the
 * control's sweep tasks (the same rule that lets them complete a task assigned to them: control owners,
 * privacy officers, compliance managers, admins). An auditor never — they must stay independent of the
 * controls they audit — nor a viewer, who may not complete anything.
 */
export function mayOwnControls(person: OwnerCandidate): boolean {
  if (person.role === 'auditor') return false;
  const ability = abilityFor({
    kind: 'user',
    id: person.id,
    email: '',
    name: '',
    role: person.role,
    departmentId: person.departmentId,
    departmentKey: person.departmentKey,
    via: 'session',
  });
  return ability.can(
    'update',
    asSubject('SweepTask', { ownerUserId: person.id, ownerDepartment: person.departmentKey ?? '' }),
  );
}
