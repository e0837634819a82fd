// Loading one row the caller may not know exists. The answer for a row they may not read is the same 404
// as for a row that does not exist: a 403 would confirm the id.
import { NotFoundError } from '../common/errors/app-error';
import type { AppAbility } from './ability.factory';
import { asSubject } from './subject';
import type { Action, SubjectType } from './subjects';

export interface RowCheck<T> {
  /** What the 404 names, e.g. `risk` (the problem's code becomes `risk.not_found`). */
  entity: string;
  /** The id or key the caller asked for, repeated in the 404. */
  id: string;
  /** The action needed on the row; `read` unless said otherwise. */
  action?: Action;
  /** The row as the rules see it, when they need more than its columns (e.g. evidence's control ids). */
  checkAs?: (row: T) => object | Promise<object>;
}

/**
 * The row when the ability allows the action on it; NotFoundError when there is no row or the ability
 * does not allow it: `readableOr404(ability, 'Risk', await repo.findById(id), { entity: 'risk', id })`.
 */
export async function readableOr404<T extends object>(
  ability: AppAbility,
  type: SubjectType,
  row: T | null | undefined,
  check: RowCheck<T>,
): Promise<T> {
  if (row && ability.can(check.action ?? 'read', asSubject(type, check.checkAs ? await check.checkAs(row) : row)))
    return row;
  throw new NotFoundError(check.entity, check.id);
}
