// The shape of a data-system definition (zod): what each field may hold. The rules between fields are in
// data-map-rules.ts; parsing and problem reporting in data-map.ts.
import { z } from 'zod';
import {
  DATA_SYSTEM_KINDS,
  ERASURE_RULES,
  IDENTIFIER,
  RETENTION,
  SUBJECT_KEY_NAMES,
  SYSTEM_KEY,
  TABLE_NAME,
} from './data-map-model';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be an identifier (letters, digits, _; at most 63; not starting with a digit)');
const tableName = z.string().regex(TABLE_NAME, 'must be a table name (identifier or schema.identifier)');
const columnValue = z.union(
  [z.string().max(10_000, 'must be at most 10000 characters'), z.number(), z.boolean(), z.null()],
  {
    error: 'must be a string, number, boolean or null',
  },
);
const columnValues = z.record(identifier, columnValue);
const columnList = z
  .array(identifier)
  .min(1, 'must list at least one column')
  .max(200, 'must list at most 200 columns');

const findSchema = z
  .object({
    email: identifier.optional(),
    phone: identifier.optional(),
    nationalId: identifier.optional(),
    join: z.object({ parent: tableName, column: identifier, parentColumn: identifier }).strict().optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const keys = SUBJECT_KEY_NAMES.filter((k) => f[k] !== undefined);
    if (f.join && keys.length)
      ctx.addIssue({ code: 'custom', message: 'must find either by identifier columns or by a join, not both' });
    else if (!f.join && !keys.length)
      ctx.addIssue({ code: 'custom', message: 'must name at least one of email, phone, nationalId, or a join' });
  });

const eraseSchema = z
  .object({
    rule: z.enum(ERASURE_RULES),
    set: columnValues.optional(),
    basis: text(1000).optional(),
    retention: z.string().regex(RETENTION, 'must be an ISO 8601 period such as P5Y, P6M or P10Y6M').optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const need = (field: 'set' | 'basis' | 'retention', message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    const refuse = (field: 'set' | 'basis' | 'retention') => {
      if (e[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `is not used by rule ${e.rule}` });
    };
    if (e.rule === 'anonymise') {
      if (e.set === undefined) need('set', 'is required for rule anonymise (column → replacement)');
      else if (Object.keys(e.set).length === 0) need('set', 'must name at least one column to anonymise');
    } else refuse('set');
    if (e.rule === 'retain') {
      if (e.basis === undefined) need('basis', 'is required for rule retain (the legal basis for keeping the rows)');
      if (e.retention === undefined) need('retention', 'is required for rule retain (an ISO 8601 period such as P5Y)');
    } else {
      refuse('basis');
      refuse('retention');
    }
  });

const tableSchema = z
  .object({
    table: tableName,
    find: findSchema,
    export: columnList,
    erase: eraseSchema,
    rectify: columnList.optional(),
    restrict: columnValues.refine((v) => Object.keys(v).length > 0, 'must name at least one column').optional(),
    unrestrict: columnValues.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!t.unrestrict) return;
    const want = Object.keys(t.restrict ?? {})
      .sort()
      .join(',');
    if (!t.restrict)
      ctx.addIssue({ code: 'custom', path: ['unrestrict'], message: 'needs restrict (the flags it lifts)' });
    else if (Object.keys(t.unrestrict).sort().join(',') !== want)
      ctx.addIssue({
        code: 'custom',
        path: ['unrestrict'],
        message: `must set the same columns as restrict (${want})`,
      });
  });

const seedRowSchema = z
  .object({
    table: tableName,
    as: identifier.optional(),
    values: columnValues.refine((v) => Object.keys(v).length > 0, 'must give at least one column'),
  })
  .strict();

const postgresUrl = z
  .string()
  .max(2000)
  .refine((u) => /^postgres(ql)?:\/\/./.test(u) && URL.canParse(u), 'must be a postgres:// or postgresql:// URL');

const postgresSchema = z
  .object({
    url: postgresUrl.optional(),
    tables: z.array(tableSchema).min(1, 'must map at least one table').max(500, 'must map at most 500 tables'),
    drill: z
      .object({ seed: z.array(seedRowSchema).min(1, 'must seed at least one row').max(500) })
      .strict()
      .optional(),
  })
  .strict();

const path = z.string().regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/, 'must be a path starting with /');
const httpSchema = z
  .object({
    baseUrl: z
      .string()
      .max(2000)
      .refine((u) => /^https?:\/\/./.test(u) && URL.canParse(u), 'must be an http:// or https:// URL'),
    token: z.string().min(1, 'must not be empty').max(4000).optional(),
    exportPath: path.default('/dsr/export'),
    erasePath: path.default('/dsr/erase'),
    seedPath: path.optional(),
    residuePath: path.optional(),
    timeoutMs: z
      .number()
      .int('must be a whole number')
      .min(100, 'must be at least 100')
      .max(120_000, 'must be at most 120000')
      .default(10_000),
    retries: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(5, 'must be at most 5')
      .default(2),
  })
  .strict();

const manualSchema = z.object({ checklist: z.array(text(500)).min(1, 'must list at least one step').max(50) }).strict();

export const definitionSchema = z
  .object({
    key: z.string().regex(SYSTEM_KEY, 'must be a lower-case key (a-z, 0-9, -; 2 to 63 characters)'),
    name: text(200),
    kind: z.enum(DATA_SYSTEM_KINDS),
    owner: z
      .object({
        department: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be a department key'),
        user: z.email('must be an e-mail address').max(320).optional(),
      })
      .strict(),
    description: text(4000).optional(),
    postgres: postgresSchema.optional(),
    http: httpSchema.optional(),
    manual: manualSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    for (const kind of DATA_SYSTEM_KINDS) {
      if (kind === d.kind && d[kind] === undefined)
        ctx.addIssue({ code: 'custom', path: [kind], message: `is required when kind is ${d.kind}` });
      if (kind !== d.kind && d[kind] !== undefined)
        ctx.addIssue({ code: 'custom', path: [kind], message: `must not be given when kind is ${d.kind}` });
    }
  });
