// SQL text of the PostgreSQL connector (postgres.connector.ts).
//
// SQL safety: every identifier in SQL text comes from the validated map (IDENTIFIER / TABLE_NAME regex at
// parse time), is checked against the live catalog by check() before any statement runs, and is quoted;
// every value — subject keys, anonymise replacements, rectifications, restriction flags, seed values — is
// a bound parameter ($1 …). Nothing else reaches SQL text.
//
// Finding the subject: a table with identifier columns matches rows where any known key equals its column
// (OR over the keys given; null keys skipped; exact equality, so the data store is expected to hold the
// normalised form the service passes, see SubjectKeys); a joined table matches rows whose column is in the
// parent's found rows, recursively.
import { ValidationError } from '../../common/errors/app-error';
import { IDENTIFIER, MappedTable, SUBJECT_KEY_NAMES, TABLE_NAME } from '../domain/data-map';
import type { SubjectKeys } from '../domain/dsr-model';

export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a valid identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export function quoteTable(name: string): string {
  if (!TABLE_NAME.test(name)) throw new Error(`not a valid table name: ${JSON.stringify(name)}`);
  return name.split('.').map(quoteIdentifier).join('.');
}

/** Bound parameters of one statement; subject keys are bound once each. */
export class Params {
  readonly values: unknown[] = [];
  private readonly keys = new Map<string, string>();
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  bindKey(name: string, value: string): string {
    let ref = this.keys.get(name);
    if (!ref) this.keys.set(name, (ref = this.bind(value)));
    return ref;
  }
}

/** The condition on `alias` (a row of `t`) that the row belongs to the subject. */
export function subjectCondition(
  byName: ReadonlyMap<string, MappedTable>,
  t: MappedTable,
  alias: string,
  keys: SubjectKeys,
  params: Params,
  depth = 0,
): string {
  const j = t.find.join;
  if (j) {
    const parent = byName.get(j.parent)!;
    const pa = `t${depth + 1}`;
    return `${alias}.${quoteIdentifier(j.column)} IN (SELECT ${pa}.${quoteIdentifier(j.parentColumn)} FROM ${quoteTable(parent.table)} AS ${pa} WHERE ${subjectCondition(byName, parent, pa, keys, params, depth + 1)})`;
  }
  const parts: string[] = [];
  for (const k of SUBJECT_KEY_NAMES) {
    const col = t.find[k];
    const value = keys[k];
    if (col && typeof value === 'string' && value !== '')
      parts.push(`${alias}.${quoteIdentifier(col)} = ${params.bindKey(k, value)}`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
}

/** Text form of the row's identity: its primary key, or ctid for a table without one. */
export function rowId(rel: { primaryKey: readonly string[] }, alias: string): string {
  const cols = rel.primaryKey.length
    ? rel.primaryKey.map((c) => `${alias}.${quoteIdentifier(c)}::text`)
    : [`${alias}.ctid::text`];
  return `json_build_array(${cols.join(', ')})::text AS row_id`;
}

export function requireKeys(keys: SubjectKeys): void {
  if (!SUBJECT_KEY_NAMES.some((k) => typeof keys[k] === 'string' && keys[k] !== '')) {
    throw new ValidationError(
      [{ field: 'keys', message: 'at least one of email, phone, nationalId is required' }],
      undefined,
      'dsr.subject_keys_missing',
    );
  }
}
