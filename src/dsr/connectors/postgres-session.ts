// The PostgreSQL connector's pool and transactions: every operation runs in one transaction, and a failure
// becomes a DataSystemConnectorError naming the system, operation and table.
//
// Values come back as JSON-friendly text where node-pg would build objects: date, timestamp(tz), interval,
// bytea (and their arrays) are PostgreSQL's text form, in UTC.
import { Logger } from '@nestjs/common';
import { Pool, PoolClient, types } from 'pg';
import { ValidationError } from '../../common/errors/app-error';
import { SUBJECT_KEY_NAMES } from '../domain/data-map';
import type { SubjectKeys } from '../domain/dsr-model';
import { DataSystemConnectorError } from './postgres-connector.errors';

export interface PostgresConnectorOptions {
  /** The connection URL when the definition does not carry it (the service keeps it encrypted apart). */
  url?: string;
  /** Connections in the pool. Default 2. */
  poolSize?: number;
  /** statement_timeout of every statement. Default 30 s. */
  statementTimeoutMs?: number;
  /** Time to wait for a connection. Default 10 s. */
  connectTimeoutMs?: number;
}

export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ READ ONLY';

/** Runs one statement in the transaction; `table` names it in the error when it fails. */
export type RunStatement = (
  table: string,
  sql: string,
  params: unknown[],
) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;

const log = new Logger('PostgresConnector');
/** Text forms instead of Date/Buffer/object for values that do not survive JSON or time zones intact. */
const TEXT_TYPES = new Set([1082, 1114, 1184, 1186, 1083, 1266, 17, 1182, 1115, 1185, 1187, 1183, 1270, 1001]);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPES.has(oid)
      ? (value: string) => value
      : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

export class PostgresSession {
  readonly pool: Pool;

  constructor(
    private readonly system: string,
    url: string,
    options: PostgresConnectorOptions,
  ) {
    this.pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 2,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'attest-dsr',
      options: '-c TimeZone=UTC',
      types: typeParsers,
    });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  async transaction<T>(
    operation: string,
    keys: SubjectKeys | null,
    isolation: Isolation,
    work: (run: RunStatement) => Promise<T>,
  ): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw this.failure(operation, null, e, keys);
    }
    let table: string | null = null;
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      const result = await work((t, sql, params) => {
        table = t;
        return client.query(sql, params);
      });
      table = null;
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw this.failure(operation, table, e, keys);
    } finally {
      client.release(broken);
    }
  }

  /**
   * An error from no PostgreSQL server (refused, reset, DNS, TLS, not PostgreSQL at that port: no SQLSTATE)
   * is told as one text, so a URL cannot be used to learn which internal ports are open; the cause is logged.
   */
  unreachable(operation: string, e: unknown): string | null {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return null;
    log.warn(`${this.system}: ${operation}: no answer from PostgreSQL: ${(e as Error).message ?? String(e)}`);
    return 'could not reach the database';
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The error with the system, operation and table; subject keys are masked out of the server's message. */
  private failure(operation: string, table: string | null, e: unknown, keys: SubjectKeys | null): Error {
    if (e instanceof ValidationError) return e;
    const err = e as Error & { code?: string };
    let detail = err.message ?? String(e);
    for (const k of SUBJECT_KEY_NAMES) {
      const v = keys?.[k];
      if (typeof v === 'string' && v.length >= 3) detail = detail.split(v).join('[subject]');
    }
    const sqlState = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : null;
    if (!sqlState) detail = this.unreachable(operation, e) ?? detail;
    const where = table ? ` at table "${table}"` : '';
    return new DataSystemConnectorError(
      this.system,
      operation,
      table,
      sqlState,
      `${this.system}: ${operation} failed${where}: ${detail}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`,
      {
        cause: e,
      },
    );
  }
}
