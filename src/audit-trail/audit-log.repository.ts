import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { BinaryCopyReader } from '../common/db/binary-copy';
import { jsonRows } from '../common/db/json-rows';
import { AuditLog } from './audit-log.entity';
import type { StoredEntry } from './domain/chain-verifier';
import { ENTRY_BYTE_FIELDS, type EntryByteField, type EntryBytes } from './domain/entry-bytes';
import type { TimeRange } from './domain/time-range';

/**
 * Key of the transaction-scoped advisory lock that serialises appends: whoever holds it reads the head and
 * writes head + 1, and keeps it until its transaction ends, so the chain never forks and seqs never skip.
 */
export const AUDIT_CHAIN_LOCK_KEY = 0x41554454; // "AUDT"

export interface AuditLogFilter {
  actor?: string;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  range: TimeRange;
}

/** What the verification walk selects for each field of EntryBytes: text, so its bytes are its UTF-8. */
const ENTRY_BYTE_COLUMNS: Record<EntryByteField, string> = {
  at: `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  actor: 'actor',
  action: 'action',
  subjectType: 'subject_type',
  subjectId: 'subject_id',
  canonical: 'canonical',
  prevHash: 'prev_hash',
  hash: 'hash',
};
const ENTRY_BYTES_SELECT = `SELECT seq, ${ENTRY_BYTE_FIELDS.map((f) => ENTRY_BYTE_COLUMNS[f]).join(', ')} FROM audit_log`;

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The only place with audit_log queries. The table is append-only: there is no update or delete here. */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Waits for the chain lock; held until the transaction of `manager` ends. */
  async lockChain(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
  }

  /** Stores a signed checkpoint for every instance to read; false when one for this seq exists already. */
  async saveCheckpoint(c: { seq: number; hash: string; keyId: string; text: string }): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO audit_checkpoints (seq, hash, key_id, text) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING RETURNING seq`,
      [c.seq, c.hash, c.keyId, c.text],
    );
    return rows.length === 1;
  }

  /** Every stored checkpoint's text, lowest seq first. */
  async checkpoints(): Promise<{ seq: number; text: string }[]> {
    const rows: { seq: string; text: string }[] = await this.ds.query(
      `SELECT seq, text FROM audit_checkpoints ORDER BY seq`,
    );
    return rows.map((r) => ({ seq: Number(r.seq), text: r.text }));
  }

  async head(manager: EntityManager = this.ds.manager): Promise<ChainHead | null> {
    const rows: { seq: string; hash: string }[] = await manager.query(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    return rows.length ? { seq: Number(rows[0].seq), hash: rows[0].hash } : null;
  }

  async insert(entry: StoredEntry, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, canonical, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.subjectType,
        entry.subjectId,
        entry.canonical,
        entry.prevHash,
        entry.hash,
      ],
    );
  }

  /** Inserts consecutive entries in one statement, whatever their number (one parameter: jsonRows()). */
  async insertMany(entries: StoredEntry[], manager: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    const source = jsonRows(entries, [
      { name: 'seq', type: 'bigint', value: (e) => e.seq },
      { name: 'at', type: 'timestamptz', value: (e) => e.at },
      { name: 'actor', type: 'text', value: (e) => e.actor },
      { name: 'action', type: 'text', value: (e) => e.action },
      { name: 'subject_type', type: 'text', value: (e) => e.subjectType },
      { name: 'subject_id', type: 'text', value: (e) => e.subjectId },
      { name: 'canonical', type: 'text', value: (e) => e.canonical },
      { name: 'prev_hash', type: 'text', value: (e) => e.prevHash },
      { name: 'hash', type: 'text', value: (e) => e.hash },
    ]);
    await manager.query(
      `INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, canonical, prev_hash, hash)
       SELECT * FROM ${source.from} AS u`,
      [source.param],
    );
  }

  /** Up to `limit` entries with seq > afterSeq (and <= upTo when given), oldest first: keyset pagination. */
  async batchAfter(afterSeq: number, limit: number, upTo?: number): Promise<StoredEntry[]> {
    // Rows come back in StoredEntry's shape, so nothing is copied per row: seq as a number (float8 is exact
    // far beyond any seq), `at` as the ISO text the canonical content has (no Date parsed per row).
    return this.ds.query(
      `SELECT seq::float8 AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
              actor, action, subject_type AS "subjectType", subject_id AS "subjectId", canonical,
              prev_hash AS "prevHash", hash
         FROM audit_log WHERE audit_log.seq > $1 AND ($3::bigint IS NULL OR audit_log.seq <= $3)
        ORDER BY audit_log.seq LIMIT $2`,
      [afterSeq, limit, upTo ?? null],
    );
  }

  /**
   * Hands the entries after `afterSeq` (up to `upTo`) to `visit`, oldest first, as bytes, until it returns
   * false. Each page of `pageSize` entries is one `COPY (SELECT … ORDER BY seq) TO STDOUT (FORMAT binary)` on
   * one pooled connection: PostgreSQL streams the page while the entries before are checked, and nothing is
   * decoded per entry but its seq. `visit` gets one reused EntryBytes, valid only during the call. Once visit
   * says stop, the rest of the page is read unchecked so the connection goes back to the pool ready for use;
   * on an error it is closed instead.
   */
  async walkAfter(
    afterSeq: number,
    pageSize: number,
    upTo: number | undefined,
    visit: (entry: EntryBytes) => boolean,
  ): Promise<void> {
    const [client, release] = (await (this.ds.driver as PostgresDriver).obtainMasterConnection()) as [
      PoolClient,
      (err?: Error) => void,
    ];
    try {
      let page = { last: afterSeq, count: pageSize, stopped: false };
      while (page.count === pageSize && !page.stopped)
        page = await this.copyPage(client, page.last, pageSize, upTo, visit);
    } catch (e) {
      release(e as Error); // a pooled connection must not be reused in the middle of a COPY
      throw e;
    }
    release();
  }

  private async copyPage(
    client: PoolClient,
    afterSeq: number,
    pageSize: number,
    upTo: number | undefined,
    visit: (entry: EntryBytes) => boolean,
  ): Promise<{ last: number; count: number; stopped: boolean }> {
    for (const n of [afterSeq, pageSize, upTo ?? 0])
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`walkAfter: ${n} is not a seq or a page size`);
    const bound = upTo === undefined ? '' : ` AND seq <= ${upTo}`;
    const sql = `COPY (${ENTRY_BYTES_SELECT} WHERE seq > ${afterSeq}${bound} ORDER BY seq LIMIT ${pageSize}) TO STDOUT (FORMAT binary)`;
    const page = { last: afterSeq, count: 0, stopped: false };
    const entry: EntryBytes = { seq: 0, buf: Buffer.alloc(0), starts: new Int32Array(0), ends: new Int32Array(0) };
    const reader = new BinaryCopyReader(1 + ENTRY_BYTE_FIELDS.length, (buf) => {
      const at = reader.starts[0];
      entry.seq = page.last = buf.readInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4); // int8, seq > 0
      entry.buf = buf;
      page.count++;
      return visit(entry);
    });
    // The fields after seq, as EntryBytes indexes them: views of the reader's arrays, filled per tuple.
    entry.starts = reader.starts.subarray(1);
    entry.ends = reader.ends.subarray(1);
    for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) {
      if (!page.stopped && !reader.push(chunk)) page.stopped = true;
    }
    reader.end();
    return page;
  }

  async findBySeq(seq: number): Promise<StoredEntry | null> {
    return (await this.batchAfter(seq - 1, 1, seq))[0] ?? null;
  }

  /** Newest first. */
  async list(filter: AuditLogFilter, limit: number, offset: number): Promise<{ rows: AuditLog[]; total: number }> {
    const qb = this.ds.getRepository(AuditLog).createQueryBuilder('e');
    if (filter.actor !== undefined) qb.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.action !== undefined) qb.andWhere('e.action = :action', { action: filter.action });
    if (filter.subjectType !== undefined)
      qb.andWhere('e.subject_type = :subjectType', { subjectType: filter.subjectType });
    if (filter.subjectId !== undefined) qb.andWhere('e.subject_id = :subjectId', { subjectId: filter.subjectId });
    if (filter.range.from) qb.andWhere('e.at >= :from', { from: filter.range.from });
    if (filter.range.before) qb.andWhere('e.at < :before', { before: filter.range.before });
    const [rows, total] = await qb.orderBy('e.seq', 'DESC').take(limit).skip(offset).getManyAndCount();
    return { rows, total };
  }
}
