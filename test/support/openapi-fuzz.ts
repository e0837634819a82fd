// Hostile inputs generated from the API's own OpenAPI document (issue 20), for test/e2e/openapi-fuzz.e2e-spec.ts:
// every operation's JSON body is built from its schema (a plausible value per property), then broken on
// purpose (wrong types, missing required fields, unknown fields, hostile strings and numbers, deep nesting);
// query parameters get the same strings (also repeated, so they arrive as arrays); path parameters get
// non-UUIDs, UUIDs of no row, and ids of real rows (which may belong to someone else).
import fc from 'fast-check';

export type Schema = Record<string, any>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, Schema>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  /** The template as the document writes it: /api/risks/{id}. */
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: Schema; required: boolean }[];
  /** The JSON body's schema (refs resolved), {} when the operation documents no body but may read one. */
  body: Schema | null;
  /** A body that is not JSON (CSV, YAML): sent as text with this content type. */
  textBody: string | null;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Operations that read a JSON body the document does not describe (validated by a zod schema in the service). */
const UNDOCUMENTED_BODY = new Set(['POST /api/dsr/systems', 'PUT /api/dsr/systems/{key}', 'POST /api/dsr/drills']);

/** Resolves $ref, merges allOf, and takes the JSON variant of oneOf/anyOf (the first that is an object). */
export function resolve(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Schema {
  if (!schema || depth > 20) return {};
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc, doc.components?.schemas?.[name], depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((s: Schema) => resolve(doc, s, depth + 1));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p: Schema) => p.properties ?? {})),
      required: parts.flatMap((p: Schema) => p.required ?? []),
    };
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) {
    const resolved = variants.map((s: Schema) => resolve(doc, s, depth + 1));
    // A multipart variant carries binary files, which JSON cannot: prefer the variant without them.
    return resolved.find((s: Schema) => !JSON.stringify(s).includes('"binary"')) ?? resolved[0];
  }
  const out: Schema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).map(([k, v]) => [k, resolve(doc, v, depth + 1)]),
    );
  }
  if (schema.items) out.items = resolve(doc, schema.items, depth + 1);
  return out;
}

export function operations(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []) as Schema[];
      const content = (op.requestBody?.content ?? {}) as Record<string, Schema>;
      const jsonSchema = content['application/json']?.schema;
      const textType = Object.keys(content).find((t) => t.startsWith('text/') || t.includes('yaml')) ?? null;
      const key = `${method.toUpperCase()} ${path}`;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name as string),
        queryParams: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name as string, schema: resolve(doc, p.schema), required: !!p.required })),
        body: jsonSchema ? resolve(doc, jsonSchema) : UNDOCUMENTED_BODY.has(key) ? {} : null,
        textBody: textType,
      });
    }
  }
  return ops;
}

const DAY = '2026-06-15';
/** A well-formed UUID no row has (fixed, so a seed replays the same requests). */
export const NO_ROW = '3b241101-e2bb-4255-8caf-4136c566a962';
/** A plausible value for a schema: its example, its first enum member, or one of its type. */
export function plausible(schema: Schema, depth = 0): unknown {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return NO_ROW;
      if (schema.format === 'date-time') return `${DAY}T00:00:00Z`;
      if (schema.format === 'date') return DAY;
      return 'x'.repeat(Math.max(1, Math.min(Number(schema.minLength ?? 1), 64)));
    case 'number':
    case 'integer':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return depth > 6 ? [] : [plausible(schema.items ?? {}, depth + 1)];
    default:
      if (!schema.properties || depth > 6) return {};
      return Object.fromEntries(
        Object.entries(schema.properties as Record<string, Schema>).map(([k, v]) => [k, plausible(v, depth + 1)]),
      );
  }
}

const nest = (levels: number, leaf: unknown, asArray: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = asArray ? [v] : { a: v };
  return v;
};

/** Strings no field expects: empty, huge, scripts and directions, NUL and control characters, numbers and dates that are not. */
export const HOSTILE_STRINGS: string[] = [
  '',
  ' ',
  'x'.repeat(100_000),
  'ก'.repeat(5_000),
  'สวัสดีครับ ทดสอบภาษาไทย',
  '\u202Egnp.exe\u202C שלום مرحبا',
  '👩‍👩‍👧‍👦🔥🇹🇭',
  '\u0000',
  'a\u0000b',
  '\u0001\u0008\u001b[31m\u007f\u0085',
  '\uFEFF\u200B',
  '\uD800',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '-1',
  '99999999999999999999999999',
  '2026-02-30',
  '2026-13-45',
  '0000-00-00',
  '275760-09-14',
  '2026-W99',
  '9999-99-99T99:99:99Z',
  "'; DROP TABLE users; --",
  '%',
  '../../etc/passwd',
  '{{constructor.constructor}}',
  '<script>alert(1)</script>',
  '__proto__',
  'null',
  'true',
];
const HOSTILE_NUMBERS: unknown[] = [1e308, -1e308, -0, 0, -1, 2 ** 53 + 1, 0.5, 4294967296, 'NaN', '1e308', '-0'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

/** Any JSON value that is not what a field expects: other types, hostile strings and numbers, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [''], [null], { '': '' }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(20, 100, 127, 200), fc.boolean())
      .map(([levels, asArray]) => nest(levels, 'x', asArray)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(Array(5_000).fill('x'), JSON.parse('{"__proto__":{"admin":true}}')),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'extra'; at: number; name: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      at: fc.nat(),
      name: fc.constantFrom('role', 'id', 'isAdmin', '__proto__', 'constructor', 'ก', ''),
      value: hostileValue,
    }),
  },
);

/** The paths to every property of a plausible body (nested objects and array items included), e.g. ['controls', 0, 'type']. */
function propertyPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (prefix.length > 8) return []; // inside a nested or huge value put there by an earlier mutation
  if (Array.isArray(value))
    return value.slice(0, 3).flatMap((v, i) => [[...prefix, i], ...propertyPaths(v, [...prefix, i])]);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...propertyPaths(v, [...prefix, k])]);
  return [];
}

function applyMutation(body: unknown, m: Mutation): unknown {
  // Values from constantFrom are shared between runs: put a copy in, never the value itself.
  if (m.kind !== 'delete') m = { ...m, value: structuredClone(m.value) };
  const paths = propertyPaths(body);
  if (m.kind === 'extra') {
    const containers = [[], ...paths].filter((p) => isObject(get(body, p)));
    if (containers.length === 0) return body;
    const target = get(body, containers[m.at % containers.length]) as Record<string, unknown>;
    Object.defineProperty(target, m.name, { value: m.value, enumerable: true, configurable: true, writable: true });
    return body;
  }
  if (paths.length === 0) return m.kind === 'replace' ? m.value : body;
  const path = paths[m.at % paths.length];
  const parent = get(body, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else {
    Object.defineProperty(parent, last, { value: m.value, enumerable: true, configurable: true, writable: true });
  }
  return body;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const get = (v: unknown, path: (string | number)[]): unknown =>
  path.reduce<unknown>((acc, k) => (acc as Record<string | number, unknown>)?.[k], v);

/** A hostile JSON body for a schema: a plausible body with one to three mutations, or no object at all. */
export function hostileBody(schema: Schema): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(mutation, { minLength: 1, maxLength: 3 })
        .map((ms) => ms.reduce((body, m) => applyMutation(body, m), structuredClone(plausible(schema)))),
    },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(null).map(() => plausible(schema)) },
  );
}

/** encodeURIComponent, with lone surrogates (which it cannot encode) as U+FFFD, as a browser sends them. */
export const uriComponent = (s: string) =>
  encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

/** Query strings: each parameter left out, given a hostile string, or given twice (it then arrives as an array). */
export function hostileQuery(op: Operation): fc.Arbitrary<string> {
  if (op.queryParams.length === 0) return fc.constant('');
  const one = (name: string) =>
    fc.oneof(
      fc.constant<string[]>([]),
      hostileString.map((v) => [`${name}=${uriComponent(v)}`]),
      fc
        .tuple(hostileString, hostileString)
        .map(([a, b]) => [name, name].map((n, i) => `${n}=${uriComponent([a, b][i])}`)),
    );
  return fc.tuple(...op.queryParams.map((p) => one(p.name))).map((parts) => {
    const q = parts.flat().join('&');
    return q ? `?${q}` : '';
  });
}

/** Path parameter values that name no row, or do not parse, or name a real row (ids gathered by the spec). */
export function hostilePathValue(realIds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constantFrom('x', '0', '-1', 'null', 'undefined', 'ก', '1e308', ' ', 'a'.repeat(300), '%'),
    },
    { weight: 2, arbitrary: fc.uuid() },
    {
      weight: 1,
      arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'),
    },
    // Not . or ..: URL parsing would resolve them to another route (%2E%2E included).
    { weight: 1, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 500 && s !== '.' && s !== '..') },
    ...(realIds.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...realIds) }] : []),
  );
}

/** The response shows a stack trace or source location: Node's "    at fn (file:1:2)" frames or our paths. */
export function leaksStack(text: string): boolean {
  return /\n\s+at [^\n]+:\d+:\d+\)?/.test(text) || /\/(src|dist|node_modules)\/[^"\s]+\.(ts|js):\d+/.test(text);
}
