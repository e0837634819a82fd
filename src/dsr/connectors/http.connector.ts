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
// The transport (retries, time-outs, redirects, error texts) is in http-transport.ts; the answers' schemas
// in http-answers.ts.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ValidationError } from '../../common/errors/app-error';
import { DATA_MAP_INVALID, HttpMap, HttpSystemDefinition } from '../domain/data-map';
import type {
  DataSystemConnector,
  EraseOptions,
  SeedManifest,
  SystemExport,
  TableErasure,
  TableResidue,
  TableUpdate,
  UpdateAction,
} from './connector';
import type { SubjectKeys } from '../domain/dsr-model';
import { eraseAnswer, exportAnswer, removeSeedAnswer, residueAnswer, seedAnswer, toTableExport } from './http-answers';
import { DsrConnectorError } from './http-connector.errors';
import { HttpConnectorOptions, HttpTransport, joinUrl } from './http-transport';

export { retryAfterMs, UNREACHABLE, type HttpConnectorOptions } from './http-transport';

export class HttpConnector implements DataSystemConnector {
  readonly kind = 'http' as const;
  private readonly system: string;
  private readonly http: HttpMap & { residuePath?: string };
  private readonly token: string | undefined;
  private readonly transport: HttpTransport;
  /** The last erase answer per subject (by a hash of its keys), for residue without residuePath. */
  private readonly erasedBySubject = new Map<string, TableErasure[]>();

  constructor(definition: HttpSystemDefinition, options: HttpConnectorOptions = {}) {
    this.system = definition.key;
    this.http = definition.http;
    this.token = definition.http.token ?? options.token;
    this.transport = new HttpTransport(this.system, this.http, this.token, options);
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
      answer = await this.transport.post(
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
    const answer = await this.transport.post('export', this.http.exportPath, { subject: keys }, exportAnswer);
    return { system: this.system, tables: answer.tables.map(toTableExport) };
  }

  /** With `anonymise: false` (unlawful processing) the body says so, and an answer that still anonymised fails. */
  async erase(keys: SubjectKeys, options: EraseOptions = { anonymise: true }): Promise<TableErasure[]> {
    requireKeys(keys);
    const answer = await this.transport.post(
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
      const answer = await this.transport.post('residue', this.http.residuePath, body, residueAnswer);
      return answer.tables.map((t) => ({
        table: t.table,
        rows: t.rows,
        retained: t.retained,
        ...(t.basis !== undefined ? { basis: t.basis } : {}),
      }));
    }
    const erased = this.erasedBySubject.get(subjectId(keys)) ?? [];
    const answer = await this.transport.post('residue', this.http.exportPath, { subject: keys }, exportAnswer);
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
    const answer = await this.transport.post('seed', this.http.seedPath, { subject: keys }, seedAnswer, 0);
    return { system: this.system, rows: answer.rows.map((r) => ({ table: r.table, key: r.key, values: r.values })) };
  }

  async removeSeed(seed: SeedManifest): Promise<number> {
    if (seed.system !== this.system)
      throw new Error(`seed manifest of system ${seed.system} given to the connector of ${this.system}`);
    if (this.http.seedPath === undefined || seed.rows.length === 0) return 0;
    const answer = await this.transport.post(
      'removeSeed',
      `${this.http.seedPath.replace(/\/+$/, '')}/remove`,
      { seed },
      removeSeedAnswer,
    );
    return answer.removed;
  }

  /** Aborts requests in flight; later calls fail. */
  async close(): Promise<void> {
    this.transport.close();
  }
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
