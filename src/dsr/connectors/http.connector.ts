// Executes DSRs against one of the company's own services over HTTP (data map `http:` section).
//
// The protocol a service implements. Every request is a POST of JSON to <baseUrl><path> with
// `Authorization: Bearer <token>` and `Content-Type: application/json`; answers are JSON with a 2xx status.
// `subject` is the connector's SubjectKeys: { email, phone, nationalId }, each normalised or null; the
// service matches rows by those keys only (a subject with all keys null matches nothing).
//
//   exportPath (default /dsr/export)  { subject }        → { tables: [{ table, columns?, rows: [{…}] }] }
//   erasePath  (default /dsr/erase)   { subject }        → { tables: [{ table, rule: delete|anonymise|retain,
//                                                            rows, basis?, retention? }] }   (basis required for retain)
//                                     with `anonymise: false` (ground: unlawful processing) nothing may be anonymised
//   residuePath (optional)            { subject, seed? } → { tables: [{ table, rows, retained, basis? }] }
//   seedPath   (optional)             { subject }        → { rows: [{ table, key: {…}, values: {…} }] }
//   seedPath + "/remove"              { seed: { system, rows } } → { removed: <count> }
//
// - Export and erase must be idempotent for a subject (they are retried); erase is all or nothing inside
//   the service. Seeding is never retried (a second call could seed twice).
// - Residue without residuePath: the export is run again and every row it still returns counts, as
//   retained (with its basis) when the erase answer on this connector said `retain` for that table, else
//   as residue. A connector made after the erasure (a resumed request) has no erase answer and reports
//   every remaining row as residue: services with retained tables should offer residuePath.
// - update (rectify / restrict) is not part of the protocol: null, a manual task.
// - check() posts a probe export for a subject with all keys null and expects a valid answer with no
//   rows: it proves the URL, the token, the export path and the answer's shape without touching data.
//   The erase endpoint is not probed (it is destructive).
//
// Transport: Node's fetch; each attempt times out after timeoutMs; network errors, timeouts, 429 and 5xx
// are retried `retries` times with exponential backoff and jitter (429/503 Retry-After honoured up to a
// cap); other statuses fail at once. Redirects are not followed (the token must not travel elsewhere).
// Errors (DsrConnectorError) name the system, the request without credentials, the status and the start
// of the body (a connection failure or timeout only as "could not reach the data system": its cause is
// logged); answers are checked with zod and a bad one is reported by field path.
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../common/errors/app-error';
import { DATA_MAP_INVALID, formatFieldPath, HttpMap, HttpSystemDefinition } from '../domain/data-map';
import type {
  DataSystemConnector,
  EraseOptions,
  SeedManifest,
  SystemExport,
  TableErasure,
  TableExport,
  TableResidue,
  TableUpdate,
  UpdateAction,
} from './connector';
import type { SubjectKeys } from '../domain/dsr-model';
import { DsrConnectorError, HttpConnectorFailure } from './http-connector.errors';

export interface HttpConnectorOptions {
  /** The bearer token when the definition does not carry it (the service keeps it encrypted apart). */
  token?: string;
  /** The first retry waits about this long, doubling each time, at most 8 s. Default 250 ms. */
  backoffMs?: number;
  /** The longest Retry-After honoured; a longer one is cut to this. Default 30 s. */
  maxRetryAfterMs?: number;
  /** The largest answer read; a larger one is an error. Default 64 MiB. */
  maxResponseBytes?: number;
}

const EXCERPT_CHARS = 200;
/** What a privacy officer is told about any connection failure (the cause is in the server log). */
export const UNREACHABLE = 'could not reach the data system';
const log = new Logger('HttpConnector');
const MAX_BACKOFF_MS = 8_000;

// ---- answers --------------------------------------------------------------------------------------

const tableName = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\u0000-\u001f]*$/, 'must not contain control characters');
const row = z.record(z.string(), z.unknown());
const keyValues = z.record(z.string(), z.unknown());

const exportAnswer = z.object({
  tables: z.array(z.object({ table: tableName, columns: z.array(z.string()).optional(), rows: z.array(row) })),
});

const eraseAnswer = z.object({
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

const residueAnswer = z.object({
  tables: z.array(
    z.object({
      table: tableName,
      rows: z.number().int('must be a whole number').min(0, 'must be at least 0'),
      retained: z.boolean(),
      basis: z.string().min(1).max(2000).optional(),
    }),
  ),
});

const seedAnswer = z.object({
  rows: z.array(z.object({ table: tableName, key: keyValues, values: keyValues.default({}) })),
});

const removeSeedAnswer = z.object({ removed: z.number().int('must be a whole number').min(0, 'must be at least 0') });

type Operation = 'export' | 'erase' | 'residue' | 'seed' | 'removeSeed' | 'check';

export class HttpConnector implements DataSystemConnector {
  readonly kind = 'http' as const;
  private readonly system: string;
  private readonly http: HttpMap & { residuePath?: string };
  private readonly token: string | undefined;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxResponseBytes: number;
  private readonly closing = new AbortController();
  /** The last erase answer per subject (by a hash of its keys), for residue without residuePath. */
  private readonly erasedBySubject = new Map<string, TableErasure[]>();

  constructor(definition: HttpSystemDefinition, options: HttpConnectorOptions = {}) {
    this.system = definition.key;
    this.http = definition.http;
    this.token = definition.http.token ?? options.token;
    this.backoffMs = options.backoffMs ?? 250;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  }

  async check(): Promise<void> {
    const problems: Array<{ field: string; message: string }> = [];
    for (const [field, path] of [
      ['http.exportPath', this.http.exportPath],
      ['http.erasePath', this.http.erasePath],
      ['http.seedPath', this.http.seedPath],
      ['http.residuePath', this.http.residuePath],
    ] as const) {
      if (path !== undefined && !URL.canParse(joinUrl(this.http.baseUrl, path)))
        problems.push({ field, message: 'does not make a valid URL with http.baseUrl' });
    }
    if (!URL.canParse(this.http.baseUrl))
      problems.push({ field: 'http.baseUrl', message: 'must be an http:// or https:// URL' });
    if (!this.token) problems.push({ field: 'http.token', message: 'is required' });
    if (problems.length) throw new ValidationError(problems, undefined, DATA_MAP_INVALID);

    let answer: z.infer<typeof exportAnswer>;
    try {
      answer = await this.post(
        'check',
        this.http.exportPath,
        { subject: { email: null, phone: null, nationalId: null } },
        exportAnswer,
      );
    } catch (e) {
      if (!(e instanceof DsrConnectorError)) throw e;
      throw new ValidationError([checkProblem(e)], undefined, DATA_MAP_INVALID);
    }
    const found = answer.tables.reduce((n, t) => n + t.rows.length, 0);
    if (found > 0) {
      throw new ValidationError(
        [
          {
            field: 'http.exportPath',
            message: `returned ${found} row(s) for a subject whose keys are all null: the service must match by email, phone or national id only`,
          },
        ],
        undefined,
        DATA_MAP_INVALID,
      );
    }
  }

  async export(keys: SubjectKeys): Promise<SystemExport> {
    requireKeys(keys);
    const answer = await this.post('export', this.http.exportPath, { subject: keys }, exportAnswer);
    return { system: this.system, tables: answer.tables.map(toTableExport) };
  }

  /** With `anonymise: false` (unlawful processing) the body says so, and an answer that still anonymised fails. */
  async erase(keys: SubjectKeys, options: EraseOptions = { anonymise: true }): Promise<TableErasure[]> {
    requireKeys(keys);
    const answer = await this.post(
      'erase',
      this.http.erasePath,
      options.anonymise ? { subject: keys } : { subject: keys, anonymise: false },
      eraseAnswer,
    );
    const anonymised = answer.tables.filter((t) => t.rule === 'anonymise' && t.rows > 0).map((t) => t.table);
    if (!options.anonymise && anonymised.length)
      throw new Error(
        `${this.system} anonymised ${anonymised.join(', ')} although the ground is unlawful processing (PDPA s. 33(4)): these rows must be deleted`,
      );
    const tables: TableErasure[] = answer.tables.map((t) => ({
      table: t.table,
      rule: t.rule,
      rows: t.rows,
      ...(t.basis !== undefined ? { basis: t.basis } : {}),
      ...(t.retention !== undefined ? { retention: t.retention } : {}),
    }));
    this.erasedBySubject.set(subjectId(keys), tables);
    return tables;
  }

  async residue(keys: SubjectKeys, seed?: SeedManifest): Promise<TableResidue[]> {
    requireKeys(keys);
    if (this.http.residuePath !== undefined) {
      const body = seed ? { subject: keys, seed } : { subject: keys };
      const answer = await this.post('residue', this.http.residuePath, body, residueAnswer);
      return answer.tables.map((t) => ({
        table: t.table,
        rows: t.rows,
        retained: t.retained,
        ...(t.basis !== undefined ? { basis: t.basis } : {}),
      }));
    }
    const erased = this.erasedBySubject.get(subjectId(keys)) ?? [];
    const answer = await this.post('residue', this.http.exportPath, { subject: keys }, exportAnswer);
    return answer.tables.map((t) => {
      const kept = erased.find((e) => e.table === t.table && e.rule === 'retain');
      return kept
        ? {
            table: t.table,
            rows: t.rows.length,
            retained: true,
            ...(kept.basis !== undefined ? { basis: kept.basis } : {}),
          }
        : { table: t.table, rows: t.rows.length, retained: false };
    });
  }

  /** Not part of the protocol: rectification and restriction are manual tasks for HTTP systems. */
  async update(_keys: SubjectKeys, _action: UpdateAction): Promise<TableUpdate[] | null> {
    return null;
  }

  async seed(keys: SubjectKeys): Promise<SeedManifest | null> {
    if (this.http.seedPath === undefined) return null;
    requireKeys(keys);
    const answer = await this.post('seed', this.http.seedPath, { subject: keys }, seedAnswer, 0);
    return { system: this.system, rows: answer.rows.map((r) => ({ table: r.table, key: r.key, values: r.values })) };
  }

  async removeSeed(seed: SeedManifest): Promise<number> {
    if (seed.system !== this.system)
      throw new Error(`seed manifest of system ${seed.system} given to the connector of ${this.system}`);
    if (this.http.seedPath === undefined || seed.rows.length === 0) return 0;
    const answer = await this.post(
      'removeSeed',
      `${this.http.seedPath.replace(/\/+$/, '')}/remove`,
      { seed },
      removeSeedAnswer,
    );
    return answer.removed;
  }

  /** Aborts requests in flight; later calls fail. */
  async close(): Promise<void> {
    this.closing.abort();
  }

  // ---- transport ----------------------------------------------------------------------------------

  private async post<S extends z.ZodType>(
    operation: Operation,
    path: string,
    body: unknown,
    schema: S,
    retries = this.http.retries,
  ): Promise<z.infer<S>> {
    const url = joinUrl(this.http.baseUrl, path);
    const shown = `POST ${displayUrl(url)}`;
    const fail = (
      reason: HttpConnectorFailure,
      status: number | null,
      excerpt: string | null,
      attempts: number,
      message: string,
      cause?: unknown,
    ) =>
      new DsrConnectorError(
        this.system,
        operation,
        reason,
        shown,
        status,
        excerpt,
        attempts,
        `${this.system}: ${shown} ${message}`,
        cause === undefined ? undefined : { cause },
      );

    if (!this.token) throw fail('unavailable', null, null, 0, 'cannot be called: the system has no token (http.token)');
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      if (this.closing.signal.aborted)
        throw fail('unavailable', null, null, attempt - 1, 'was not sent: the connector is closed');
      const retriesLeft = attempt <= retries;
      const signal = AbortSignal.any([AbortSignal.timeout(this.http.timeoutMs), this.closing.signal]);
      const tries = attempt === 1 ? '' : ` (${attempt} attempts)`;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: payload,
          signal,
          redirect: 'manual',
        });
        text = await readText(response, response.ok ? this.maxResponseBytes : 4096);
      } catch (e) {
        if (this.closing.signal.aborted)
          throw fail('unavailable', null, null, attempt, 'was abandoned: the connector was closed', e);
        if (e instanceof ResponseTooLarge)
          throw fail('response_invalid', e.status, null, attempt, `answered more than ${this.maxResponseBytes} bytes`);
        const timedOut = (e as Error).name === 'TimeoutError' || signal.aborted;
        if (retriesLeft) {
          await this.pause(this.backoff(attempt));
          continue;
        }
        // One text for every connection failure (refused, reset, DNS, TLS, timeout): the difference would
        // tell whoever registers a URL which internal ports are open. The cause goes to the server log only.
        const cause = timedOut ? `no answer within ${this.http.timeoutMs} ms` : networkCause(e);
        log.warn(`${this.system}: ${shown} failed after ${attempt} attempt(s): ${cause}`);
        throw fail(timedOut ? 'timeout' : 'network', null, null, attempt, `${UNREACHABLE}${tries}`, e);
      }

      const excerpt = excerptOf(text, this.token);
      if (response.ok) return this.parse(schema, text, response.status, excerpt, attempt, fail);
      if ((response.status === 429 || response.status >= 500) && retriesLeft) {
        await this.pause(
          retryAfterMs(response.headers.get('retry-after'), this.maxRetryAfterMs) ?? this.backoff(attempt),
        );
        continue;
      }
      let message = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${tries}`;
      if (response.status >= 300 && response.status < 400)
        message += ` (a redirect${response.headers.get('location') ? ` to ${displayUrl(response.headers.get('location')!, url)}` : ''}; not followed: configure the final URL)`;
      if (response.status === 401 || response.status === 403) message += ' (check the token of the data system)';
      throw fail('status', response.status, excerpt, attempt, excerpt ? `${message}: ${excerpt}` : message);
    }
  }

  private parse<S extends z.ZodType>(
    schema: S,
    text: string,
    status: number,
    excerpt: string | null,
    attempts: number,
    fail: (
      reason: HttpConnectorFailure,
      status: number | null,
      excerpt: string | null,
      attempts: number,
      message: string,
    ) => DsrConnectorError,
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

  private backoff(attempt: number): number {
    const base = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (attempt - 1));
    return base / 2 + Math.random() * (base / 2);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.closing.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

// ---- helpers --------------------------------------------------------------------------------------

class ResponseTooLarge extends Error {
  constructor(readonly status: number) {
    super('response too large');
  }
}

/** The body as text, at most `limit` bytes: a larger 2xx answer is an error, a larger error body is cut. */
async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      if (response.ok) throw new ResponseTooLarge(response.status);
      parts.push(value.subarray(0, value.length - (total - limit)));
      break;
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** Scheme, host and path only: no user:password, query or fragment. */
function displayUrl(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

function excerptOf(text: string, token: string): string | null {
  let t = text.split(token).join('***').replace(/\s+/g, ' ').trim();
  if (t === '') return null;
  if (t.length > EXCERPT_CHARS) t = `${t.slice(0, EXCERPT_CHARS - 1)}…`;
  return t;
}

function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/** Retry-After in seconds or as an HTTP date, capped; null when absent or unreadable. */
export function retryAfterMs(header: string | null, capMs: number, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.max(0, Math.min(ms, capMs));
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

function checkProblem(e: DsrConnectorError): { field: string; message: string } {
  switch (e.reason) {
    case 'status':
      if (e.status === 401 || e.status === 403) return { field: 'http.token', message: `was refused (${e.status})` };
      if (e.status === 404 || e.status === 405)
        return { field: 'http.exportPath', message: `no export endpoint there (${e.status})` };
      return {
        field: 'http.baseUrl',
        message: `the service answered ${e.status}${e.bodyExcerpt ? `: ${e.bodyExcerpt}` : ''}`,
      };
    case 'response_invalid':
      return { field: 'http.exportPath', message: detailOf(e) };
    case 'timeout':
    case 'network':
      return { field: 'http.baseUrl', message: detailOf(e) };
    default:
      return { field: 'http.token', message: detailOf(e) };
  }
}

/** The message without the "<system>: POST <url> " it starts with. */
function detailOf(e: DsrConnectorError): string {
  const prefix = `${e.system}: ${e.request} `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

function toTableExport(t: z.infer<typeof exportAnswer>['tables'][number]): TableExport {
  const columns = t.columns ?? [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
  return { table: t.table, columns, rows: t.rows };
}

function requireKeys(keys: SubjectKeys): void {
  if (keys.email === null && keys.phone === null && keys.nationalId === null) {
    throw new ValidationError(
      [{ field: 'keys', message: 'at least one of email, phone, nationalId is required' }],
      undefined,
      'dsr.subject_keys_missing',
    );
  }
}

function subjectId(keys: SubjectKeys): string {
  return createHash('sha256')
    .update(JSON.stringify([keys.email, keys.phone, keys.nationalId]))
    .digest('hex');
}
