// Compiles the CASL rules for (action, subject type) into a parameterised WHERE fragment for a TypeORM
// query, so lists are filtered in SQL from the same rules that check single rows in memory.
// rulesToAST (from @casl/ability/extra) yields a ucast AST; inverted `cannot` rules arrive as `not`.
// NULL semantics: CASL compares in JavaScript (null !== 'x' is true) while SQL `<>` and NOT yield NULL
// for NULL columns, so `ne` compiles to IS DISTINCT FROM and negations to "(…) IS NOT TRUE".
import { rulesToAST } from '@casl/ability/extra';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AppAbility } from './ability.factory';
import type { Action, SubjectType } from './subjects';

interface FieldCondition {
  operator: string;
  field: string;
  value: unknown;
}
interface CompoundCondition {
  operator: string;
  value: Condition[];
}
type Condition = FieldCondition | CompoundCondition;

/** A rule the compiler cannot express in SQL: failing loudly beats returning too many rows. */
export class UnsupportedCaslConditionError extends Error {}

/**
 * Conditions on a field that is not a column of the root entity (e.g. Evidence `controlIds`, held in a
 * link table): the repository that knows the relation compiles them. `param` binds a value.
 */
export type VirtualFields = Record<
  string,
  (operator: string, value: unknown, param: (value: unknown) => string) => string
>;

export function caslWhere<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  ability: AppAbility,
  action: Action,
  subjectType: SubjectType,
  virtual: VirtualFields = {},
): { sql: string; params: Record<string, unknown> } {
  const ast = rulesToAST(ability, action, subjectType) as Condition | null;
  if (ast === null) return { sql: 'FALSE', params: {} };
  const metadata = qb.expressionMap.mainAlias!.metadata;
  const alias = qb.alias;
  const params: Record<string, unknown> = {};
  let n = 0;
  const param = (value: unknown) => {
    const key = `casl_${alias}_${n++}`;
    params[key] = value;
    return `:${key}`;
  };
  const column = (field: string) => {
    // Only real columns of the root entity (checked against TypeORM metadata: no injection by field name).
    const c = metadata.columns.find((x) => x.propertyPath === field && !x.isVirtual);
    if (!c)
      throw new UnsupportedCaslConditionError(
        `CASL condition on "${field}", which is not a column of ${metadata.name}`,
      );
    return `${qb.escape(alias)}.${qb.escape(c.databaseName)}`;
  };

  const compile = (c: Condition): string => {
    if (!('field' in c)) return compound(c.operator, c.value.map(compile));
    const v = c.value;
    if (Object.hasOwn(virtual, c.field)) return `(${virtual[c.field](c.operator, v, param)})`;
    return comparison(c.operator, c.field, column(c.field), v, param);
  };
  return { sql: compile(ast), params };
}

/** An `and`/`or`/`nor`/`not` of already compiled parts. */
function compound(operator: string, parts: string[]): string {
  switch (operator) {
    case 'and':
      return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
    case 'or':
      return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
    case 'nor':
      return parts.length ? `((${parts.join(' OR ')}) IS NOT TRUE)` : 'TRUE';
    case 'not':
      return `((${parts[0]}) IS NOT TRUE)`;
  }
  throw new UnsupportedCaslConditionError(`CASL operator ${operator}`);
}

/** A condition on the column `f` (SQL, already escaped) of the field `field`; `param` binds `v`. */
function comparison(operator: string, field: string, f: string, v: unknown, param: (value: unknown) => string): string {
  const list = (values: unknown) => (values as unknown[]).map(param).join(', ');
  switch (operator) {
    case 'eq':
      return v === null ? `${f} IS NULL` : `${f} = ${param(v)}`;
    case 'ne':
      return v === null ? `${f} IS NOT NULL` : `${f} IS DISTINCT FROM ${param(v)}`;
    case 'in':
      return (v as unknown[]).length ? `${f} IN (${list(v)})` : 'FALSE';
    case 'nin':
      return (v as unknown[]).length ? `((${f} IN (${list(v)})) IS NOT TRUE)` : 'TRUE';
    case 'lt':
      return `${f} < ${param(v)}`;
    case 'lte':
      return `${f} <= ${param(v)}`;
    case 'gt':
      return `${f} > ${param(v)}`;
    case 'gte':
      return `${f} >= ${param(v)}`;
    case 'exists':
      return v ? `${f} IS NOT NULL` : `${f} IS NULL`;
  }
  throw new UnsupportedCaslConditionError(`CASL operator ${operator} on ${field}`);
}

/** Restricts a query to the rows the ability allows for the action: `accessibleBy(qb, ability, 'read', 'User')`. */
export function accessibleBy<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  ability: AppAbility,
  action: Action,
  subjectType: SubjectType,
  virtual: VirtualFields = {},
): SelectQueryBuilder<T> {
  const { sql, params } = caslWhere(qb, ability, action, subjectType, virtual);
  return qb.andWhere(`(${sql})`, params);
}
