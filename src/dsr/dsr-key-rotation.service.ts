import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SchedulerService } from '../jobs/scheduler.service';
import { DSR_KEY_RING, type DsrKeyRing } from './dsr-keys';

/** Every encrypted DSR column: its table, key column, and the associated data each value is bound to. */
const ENCRYPTED_COLUMNS = [
  { table: 'dsr_requests', id: 'id', column: 'protected_enc', aad: (id: string) => `dsr:${id}` },
  {
    table: 'dsr_requests',
    id: 'id',
    column: 'verification_reference_enc',
    aad: (id: string) => `dsr-verification:${id}`,
  },
  { table: 'dsr_actions', id: 'id', column: 'result_enc', aad: (id: string) => `dsr-export:${id}` },
  { table: 'data_systems', id: 'key', column: 'secrets_enc', aad: (key: string) => `data-system:${key}` },
] as const;

export interface ReencryptionResult {
  /** Values re-encrypted with the current key by this run. */
  reencrypted: number;
  /** Values still made with an older key (a limited run stops early; an unknown key leaves its rows). */
  remaining: number;
  /** Values made with a key this instance does not hold (left as they are, per key id). */
  unknownKeys: Record<string, number>;
}

/**
 * After a rotation (a new key first in DSR_ENCRYPTION_KEYS or the key file), re-encrypts every value still
 * made with an older key, in batches, in the background (`dsr-reencrypt`, every 10 minutes, once across
 * instances) or by `attest keys reencrypt`. Resumable and idempotent: the values not yet under the current
 * key are the cursor, so an interrupted run continues where it stopped, and each value is replaced only if
 * it is still the one that was read (compare-and-set), so two runs never overwrite each other.
 */
@Injectable()
export class DsrKeyRotationService implements OnApplicationBootstrap {
  private readonly log = new Logger('DsrKeyRotation');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DSR_KEY_RING) private readonly keys: DsrKeyRing,
    private readonly scheduler: SchedulerService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.schedule({ name: 'dsr-reencrypt', cron: '*/10 * * * *', run: () => this.reencryptStale() });
  }

  async reencryptStale(
    options: { batchSize?: number; limit?: number; onProgress?: (done: number) => void } = {},
  ): Promise<ReencryptionResult> {
    const batchSize = options.batchSize ?? 200;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const current = this.keys.currentKeyId;
    const held = this.keys.keyIds;
    let reencrypted = 0;
    for (const c of ENCRYPTED_COLUMNS) {
      // Only values under keys this ring holds: the others cannot be read here (they stay, and are counted).
      const stale = `${c.column} IS NOT NULL AND split_part(${c.column}, '.', 2) <> $1 AND split_part(${c.column}, '.', 2) = ANY($2::text[])`;
      while (reencrypted < limit) {
        const rows: { id: string; value: string }[] = await this.ds.query(
          `SELECT ${c.id}::text AS id, ${c.column} AS value FROM ${c.table} WHERE ${stale} ORDER BY ${c.id} LIMIT $3`,
          [current, held, Math.min(batchSize, limit - reencrypted)],
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          const fresh = this.keys.encryptText(this.keys.decryptText(row.value, c.aad(row.id)), c.aad(row.id));
          const [, changed] = (await this.ds.query(
            `UPDATE ${c.table} SET ${c.column} = $3 WHERE ${c.id}::text = $1 AND ${c.column} = $2`,
            [row.id, row.value, fresh],
          )) as [unknown, number];
          if (changed) reencrypted++;
        }
        options.onProgress?.(reencrypted);
      }
    }
    const { remaining, unknownKeys } = await this.stale(current, held);
    if (reencrypted > 0 || remaining > 0)
      this.log.log(`re-encrypted ${reencrypted} DSR value(s) with key ${current}; ${remaining} still under older keys`);
    return { reencrypted, remaining, unknownKeys };
  }

  private async stale(
    current: string,
    held: string[],
  ): Promise<{ remaining: number; unknownKeys: Record<string, number> }> {
    let remaining = 0;
    const unknownKeys: Record<string, number> = {};
    for (const c of ENCRYPTED_COLUMNS) {
      const rows: { key_id: string; n: number }[] = await this.ds.query(
        `SELECT split_part(${c.column}, '.', 2) AS key_id, count(*)::int AS n FROM ${c.table} WHERE ${c.column} IS NOT NULL AND split_part(${c.column}, '.', 2) <> $1 GROUP BY 1`,
        [current],
      );
      for (const r of rows) {
        remaining += r.n;
        if (!held.includes(r.key_id)) unknownKeys[r.key_id] = (unknownKeys[r.key_id] ?? 0) + r.n;
      }
    }
    return { remaining, unknownKeys };
  }
}
