import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { DataSource } from 'typeorm';

/**
 * The throttler's counters in PostgreSQL (table rate_limits), so N instances allow the limit once, not N
 * times. A fixed window per key: the first hit opens it for `ttl` ms; every hit is one atomic UPSERT that
 * either counts in the open window or, when it has ended, starts a new one. Over the limit, the client is
 * refused until the window ends.
 */
@Injectable()
export class PostgresThrottlerStorage implements ThrottlerStorage {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const [row] = (await this.ds.query(
      `INSERT INTO rate_limits AS r (key, hits, expires_at) VALUES ($1, 1, now() + make_interval(secs => $2::double precision / 1000))
       ON CONFLICT (key) DO UPDATE
         SET hits = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.hits + 1 END,
             expires_at = CASE WHEN r.expires_at <= now() THEN EXCLUDED.expires_at ELSE r.expires_at END
       RETURNING hits, GREATEST(0, CEIL(EXTRACT(EPOCH FROM (expires_at - now()))))::int AS seconds_left`,
      [key, ttl],
    )) as { hits: number; seconds_left: number }[];
    const blocked = row.hits > limit;
    return {
      totalHits: row.hits,
      timeToExpire: row.seconds_left,
      isBlocked: blocked,
      timeToBlockExpire: blocked ? row.seconds_left : 0,
    };
  }

  /** Deletes counters whose window ended (the daily identity clean-up); returns how many. */
  async purgeExpired(): Promise<number> {
    const [, count] = (await this.ds.query(`DELETE FROM rate_limits WHERE expires_at < now() - interval '1 hour'`)) as [
      unknown,
      number,
    ];
    return count;
  }
}
