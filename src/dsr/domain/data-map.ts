// The data-system definition format: which company data store holds personal data, who owns it, and (for
// `postgres`) the declarative map the connector executes DSRs with. Parsed from YAML or JSON, checked with
// zod for shape and then for the rules between fields (join parents, cycles, seed placeholders), and every
// problem reported as a field path like `postgres.tables[2].export[1]` (with the YAML line when known).
//
// Secrets (`postgres.url`, `http.token`) belong to the definition but are stored apart from it (encrypted)
// and never exported: `parseDataSystem(input, { secretsSupplied: true })` accepts a definition without
// them (the shipped controls/data-systems/*.yaml, a stored definition, an edited YAML export), and
// `separateSecrets` / `withSecrets` move them between the two places. Without the flag they are required.
//
// Whether the identifiers exist in the real database is checked by the connector (PostgresConnector.check),
// which reports problems with the same field paths.
import { isMap, isNode, isScalar, isSeq, stringify } from 'yaml';
import type { z } from 'zod';
import { FieldProblem, ValidationError } from '../../common/errors/app-error';
import { parseStrictYaml } from '../../common/text/strict-yaml';
import { NUL_CHARACTER_MESSAGE, nulCharacterPaths } from '../../common/text/nul-characters';
import {
  ColumnValue,
  DATA_MAP_INVALID,
  DataSystemDefinition,
  DataSystemSecrets,
  formatFieldPath,
  MappedTable,
  MAX_DATA_MAP_BYTES,
  ParseDataSystemOptions,
} from './data-map-model';
import { postgresRules, type Path, type PathProblem } from './data-map-rules';
import { definitionSchema } from './data-map-schema';

// The model (kinds, identifiers, types, field paths, seed placeholders) is in data-map-model.ts, the shape
// in data-map-schema.ts, the rules between fields in data-map-rules.ts, the erasure methods in
// erasure-methods.ts; importers keep importing them from here.
export {
  DATA_MAP_INVALID,
  DATA_SYSTEM_KINDS,
  ERASURE_RULES,
  formatFieldPath,
  IDENTIFIER,
  MAX_DATA_MAP_BYTES,
  RETENTION,
  SEED_PLACEHOLDERS,
  seedPlaceholders,
  SUBJECT_KEY_NAMES,
  SYSTEM_KEY,
  TABLE_NAME,
  type ColumnValue,
  type DataSystemDefinition,
  type DataSystemKind,
  type DataSystemOwner,
  type DataSystemSecrets,
  type HttpMap,
  type HttpSystemDefinition,
  type ManualMap,
  type ManualSystemDefinition,
  type MappedTable,
  type ParseDataSystemOptions,
  type PostgresMap,
  type PostgresSystemDefinition,
  type SeedRow,
  type SubjectKeyName,
  type TableErase,
  type TableFind,
  type TableJoin,
} from './data-map-model';
export { erasureMethods, type ErasureMethod } from './erasure-methods';

// ---------------------------------------------------------------------------------------------------------
// Parsing

function problemsFromZod(error: z.ZodError): PathProblem[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.code === 'invalid_value' && 'values' in issue)
      message = `must be one of ${issue.values.map(String).join(', ')}`;
    if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      message = issue.message.endsWith('received undefined')
        ? 'is required'
        : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    }
    if (issue.code === 'invalid_key' && issue.issues[0]) message = `key: ${issue.issues[0].message}`;
    return { path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'), message };
  });
}

function requireSecrets(d: DataSystemDefinition): PathProblem[] {
  if (d.kind === 'postgres' && d.postgres.url === undefined)
    return [{ path: ['postgres', 'url'], message: 'is required (or supplied separately)' }];
  if (d.kind === 'http' && d.http.token === undefined)
    return [{ path: ['http', 'token'], message: 'is required (or supplied separately)' }];
  return [];
}

function validate(
  input: unknown,
  options: ParseDataSystemOptions,
): { definition: DataSystemDefinition | null; problems: PathProblem[] } {
  const nul = nulCharacterPaths(input);
  if (nul.length) return { definition: null, problems: nul.map((path) => ({ path, message: NUL_CHARACTER_MESSAGE })) };
  const result = definitionSchema.safeParse(input);
  if (!result.success) return { definition: null, problems: problemsFromZod(result.error) };
  const definition = result.data as DataSystemDefinition;
  const problems = definition.kind === 'postgres' ? postgresRules(definition.postgres) : [];
  if (!options.secretsSupplied) problems.push(...requireSecrets(definition));
  return { definition: problems.length ? null : definition, problems };
}

function toError(problems: PathProblem[], lineOf?: (path: Path) => number | null): ValidationError {
  const errors: FieldProblem[] = problems.map((p) => {
    // A YAML source always has a line to point at: its first, when the problem is the whole (empty) document.
    const line = lineOf ? (lineOf(p.path) ?? 1) : null;
    return { field: formatFieldPath(p.path), message: line ? `line ${line}: ${p.message}` : p.message };
  });
  return new ValidationError(errors, undefined, DATA_MAP_INVALID);
}

/** Validates a definition given as a plain value (parsed JSON, a stored definition). */
export function parseDataSystem(input: unknown, options: ParseDataSystemOptions = {}): DataSystemDefinition {
  const { definition, problems } = validate(input, options);
  if (!definition) throw toError(problems);
  return definition;
}

/**
 * Parses and validates a YAML (or JSON, which is YAML) definition. The YAML core schema only; anchors,
 * aliases and custom tags are refused (a map is reviewed text). Problems carry the line they point at.
 */
export function parseDataSystemYaml(source: string, options: ParseDataSystemOptions = {}): DataSystemDefinition {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_DATA_MAP_BYTES)
    throw toError([{ path: [], message: `the definition is ${bytes} bytes; the limit is ${MAX_DATA_MAP_BYTES}` }]);
  const { doc, lineCounter: lines, problems: found } = parseStrictYaml(source);
  const at = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  const syntax = found.map((p) => ({ line: at(p.offset), message: p.message }));
  if (syntax.length)
    throw new ValidationError(
      syntax.map((s) => ({ field: '', message: `line ${s.line}: ${s.message}` })),
      undefined,
      DATA_MAP_INVALID,
    );

  const { definition, problems } = validate(doc.toJS({ maxAliasCount: 0 }), options);
  if (definition) return definition;
  throw toError(problems, (path) => lineOfPath(doc.contents, path, at));
}

/** Line of the node at `path`: a map entry's key line, a sequence item's line; the nearest existing ancestor's. */
function lineOfPath(root: unknown, path: Path, at: (offset: number | undefined) => number): number | null {
  let node = root;
  let line = isNode(node) && node.range ? at(node.range[0]) : null;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      if (isNode(pair.key) && pair.key.range) line = at(pair.key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
      node = node.items[step];
      if (isNode(node) && node.range) line = at(node.range[0]);
    } else break;
  }
  return line;
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

/** The definition without its secrets (what is stored in clear and exported), and the secrets. */
export function separateSecrets(definition: DataSystemDefinition): {
  definition: DataSystemDefinition;
  secrets: DataSystemSecrets;
} {
  if (definition.kind === 'postgres') {
    const { url, ...postgres } = definition.postgres;
    return { definition: { ...definition, postgres }, secrets: url === undefined ? {} : { url } };
  }
  if (definition.kind === 'http') {
    const { token, ...http } = definition.http;
    return { definition: { ...definition, http }, secrets: token === undefined ? {} : { token } };
  }
  return { definition, secrets: {} };
}

/** The definition with secrets put back (those given override those present). */
export function withSecrets(definition: DataSystemDefinition, secrets: DataSystemSecrets): DataSystemDefinition {
  if (definition.kind === 'postgres' && secrets.url !== undefined)
    return { ...definition, postgres: { ...definition.postgres, url: secrets.url } };
  if (definition.kind === 'http' && secrets.token !== undefined)
    return { ...definition, http: { ...definition.http, token: secrets.token } };
  return definition;
}

/** YAML for export: secrets left out (re-import with `secretsSupplied` or give them again). */
export function dataSystemToYaml(definition: DataSystemDefinition): string {
  return stringify(separateSecrets(definition).definition, { lineWidth: 0 });
}

/** The lift values of a table's restriction: `unrestrict`, else each boolean negated and anything else NULL. */
export function unrestrictValues(t: MappedTable): Record<string, ColumnValue> {
  if (t.unrestrict) return t.unrestrict;
  return Object.fromEntries(Object.entries(t.restrict ?? {}).map(([c, v]) => [c, typeof v === 'boolean' ? !v : null]));
}
