import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from './audit-log.entity';
import type { StoredEntry } from './domain/chain-verifier';
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

  /** Inserts consecutive entries in one statement (one parameter per column, whatever their number). */
  async insertMany(entries: StoredEntry[], manager: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO audit_log (seq, at, actor, action, subject_type, subject_id, canonical, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::text[], $9::text[])`,
      [
        entries.map((e) => e.seq),
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.subjectType),
        entries.map((e) => e.subjectId),
        entries.map((e) => e.canonical),
        entries.map((e) => e.prevHash),
        entries.map((e) => e.hash),
      ],
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
   * The entries after `afterSeq` (up to `upTo`), in batches of `size`, oldest first. The next batch is
   * already being fetched while the caller checks the current one.
   */
  async *batchesAfter(afterSeq: number, size: number, upTo?: number): AsyncGenerator<StoredEntry[]> {
    let pending: Promise<StoredEntry[]> | null = this.batchAfter(afterSeq, size, upTo);
    try {
      while (pending) {
        const batch: StoredEntry[] = await pending;
        pending = batch.length === size ? this.batchAfter(batch[batch.length - 1].seq, size, upTo) : null;
        if (batch.length > 0) yield batch;
      }
    } finally {
      // The caller stopped early: let the prefetch settle rather than leave it dangling.
      await pending?.catch(() => undefined);
    }
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
