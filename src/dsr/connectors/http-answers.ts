// The answers of the DSR HTTP protocol (http.connector.ts), checked with zod: a bad one is reported by field
// path, at most three problems.
import { z } from 'zod';
import { formatFieldPath } from '../domain/data-map';
import type { TableExport } from './connector';
import type { DsrConnectorError, HttpConnectorFailure } from './http-connector.errors';

/** Makes the error of a call, with its system, operation and request already in place. */
export type FailWith = (
  reason: HttpConnectorFailure,
  status: number | null,
  excerpt: string | null,
  attempts: number,
  message: string,
  cause?: unknown,
) => DsrConnectorError;

const tableName = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\u0000-\u001f]*$/, 'must not contain control characters');
const row = z.record(z.string(), z.unknown());
const keyValues = z.record(z.string(), z.unknown());

export const exportAnswer = z.object({
  tables: z.array(z.object({ table: tableName, columns: z.array(z.string()).optional(), rows: z.array(row) })),
});

export const eraseAnswer = z.object({
  tables: z.array(
    z
      .object({
        table: tableName,
        rule: z.enum(['delete', 'anonymise', 'retain']),
        rows: z.number().int('must be a whole number').min(0, 'must be at least 0'),
        basis: z.string().min(1).max(2000).optional(),
        retention: z.string().min(1).max(200).optional(),
      })
      .refine((t) => t.rule !== 'retain' || t.basis !== undefined, {
        message: 'is required when rule is retain',
        path: ['basis'],
      }),
  ),
});

export const residueAnswer = z.object({
  tables: z.array(
    z.object({
      table: tableName,
      rows: z.number().int('must be a whole number').min(0, 'must be at least 0'),
      retained: z.boolean(),
      basis: z.string().min(1).max(2000).optional(),
    }),
  ),
});

export const seedAnswer = z.object({
  rows: z.array(z.object({ table: tableName, key: keyValues, values: keyValues.default({}) })),
});

export const removeSeedAnswer = z.object({
  removed: z.number().int('must be a whole number').min(0, 'must be at least 0'),
});

/** A 2xx answer's body as the schema says, or the error naming what is wrong with it. */
export function parseAnswer<S extends z.ZodType>(
  schema: S,
  text: string,
  status: number,
  excerpt: string | null,
  attempts: number,
  fail: FailWith,
): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail(
      'response_invalid',
      status,
      excerpt,
      attempts,
      `answered ${status} with a body that is not JSON${excerpt ? `: ${excerpt}` : ' (empty)'}`,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 3)
      .map(
        (i) =>
          `${formatFieldPath(i.path.filter((p): p is string | number => typeof p !== 'symbol')) || '(body)'}: ${describeIssue(i)}`,
      );
    const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
    throw fail(
      'response_invalid',
      status,
      excerpt,
      attempts,
      `answered ${status} but not as the protocol says: ${problems.join('; ')}${more}`,
    );
  }
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const m = /expected (\w+), received (\w+)/.exec(issue.message);
    if (m) return m[2] === 'undefined' ? `is required (${m[1]})` : `must be ${m[1]} (got ${m[2]})`;
  }
  if (issue.code === 'invalid_value' && 'values' in issue)
    return `must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

export function toTableExport(t: z.infer<typeof exportAnswer>['tables'][number]): TableExport {
  const columns = t.columns ?? [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
  return { table: t.table, columns, rows: t.rows };
}
