import { permittedFieldsOf } from '@casl/ability/extra';
import type { AppAbility } from './ability.factory';
import type { Action, SubjectType } from './subjects';

export type TaggedSubject = Record<PropertyKey, unknown> & { __caslSubjectType__: SubjectType };

/** A copy of a row tagged with its subject type, for CASL row checks: `can('update', asSubject('User', row))`. */
export function asSubject(type: SubjectType, row: object): TaggedSubject {
  return { ...row, __caslSubjectType__: type };
}

/** Keeps only the fields of `view` the ability may read on `row` (field-level rules). */
export function pickPermitted<V extends object>(
  ability: AppAbility,
  action: Action,
  type: SubjectType,
  row: object,
  view: V,
  allFields: readonly string[],
): Partial<V> {
  const fields = permittedFieldsOf(ability, action, asSubject(type, row), {
    fieldsFrom: (rule) => rule.fields ?? [...allFields],
  });
  const out: Partial<V> = {};
  for (const key of Object.keys(view) as (keyof V)[]) {
    if (fields.includes(key as string)) out[key] = view[key];
  }
  return out;
}
