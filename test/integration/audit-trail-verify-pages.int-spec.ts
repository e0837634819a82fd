// Verification reads the trail in pages (keyset on seq, the next page read while this one is checked).
// These tests walk a small log in small pages on real PostgreSQL and check that verify still names the
// FIRST broken entry wherever it falls: the first entry, the last, either side of a page boundary; with
// null subjects and subject ids holding control characters. Then the binary COPY walk itself: the pool after
// a walk stopped early or interrupted by an error, non-ASCII text, and an entry far larger than a COPY chunk.
import { Test, TestingModule } from '@nestjs/testing';
import canonicalize from 'canonicalize';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { AuditLogRepository } from '../../src/audit-trail/audit-log.repository';
import { AuditTrailModule } from '../../src/audit-trail/audit-trail.module';
import { AuditTrailService } from '../../src/audit-trail/audit-trail.service';
import { CheckpointService } from '../../src/audit-trail/checkpoint.service';
import { chainHash, type AuditEntryInput } from '../../src/audit-trail/domain/audit-entry';
import { loadConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let moduleRef: TestingModule;
let ds: DataSource;
let trail: AuditTrailService;
let repository: AuditLogRepository;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'attest-trail-pages-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    JOBS_ENABLED: 'false',
  });
  moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ migrate: false }), AuditTrailModule],
  })
    .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
    .compile();
  await moduleRef.init();
  ds = moduleRef.get(DataSource);
  trail = moduleRef.get(AuditTrailService);
  repository = moduleRef.get(AuditLogRepository);
});

afterAll(async () => {
  await moduleRef?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const PAGE = 5;
const N = 12; // pages 1–5, 6–10, 11–12

const entry = (i: number, over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actor: `user:00000000-0000-4000-8000-00000000000${i % 3}`,
  action: i % 2 ? 'user.update' : 'user.create',
  subjectType: 'User',
  subjectId: i % 4 === 0 ? null : `u${i}`,
  data: { role: 'auditor', n: i },
  ...over,
});

async function reset(entries: AuditEntryInput[]): Promise<void> {
  await asOwner((m) => m.query('DELETE FROM audit_log'));
  await ds.transaction((m) => trail.appendMany(entries, m));
}

/** What a database owner can do: switch the append-only triggers off around a statement. */
async function asOwner(run: (m: EntityManager) => Promise<unknown>): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await run(m);
    await m.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
  });
}

const edited = (seq: number) => ({
  ok: false,
  brokenAtSeq: seq,
  reason: 'its content does not match its hash: the entry was altered after it was written',
  entries: seq - 1,
});

describe('verification in pages', () => {
  beforeEach(() => reset(Array.from({ length: N }, (_, i) => entry(i))));

  it.each([1, 2, PAGE, 6, N - 1, N, N + 1, 20_000])('accepts the untouched log in pages of %i', async (size) => {
    expect(await trail.verify(size)).toEqual({ ok: true, entries: N, checkpoints: 0 });
  });

  it('reads a page by seq, null subjects included, and nothing after the head', async () => {
    const page = await repository.batchAfter(3, PAGE);
    expect(page.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(page.find((e) => e.seq === 5)?.subjectId).toBeNull();
    expect(await repository.batchAfter(N, PAGE)).toEqual([]);
  });

  it.each([1, PAGE, PAGE + 1, 2 * PAGE, 2 * PAGE + 1, N])(
    'names an edited entry at seq %i (first, last, either side of a page boundary)',
    async (seq) => {
      await asOwner((m) =>
        m.query(`UPDATE audit_log SET canonical = replace(canonical, '"auditor"', '"admin"') WHERE seq = $1`, [seq]),
      );
      expect(await trail.verify(PAGE)).toEqual(edited(seq));
    },
  );

  it('names the first of two edited entries on different pages', async () => {
    await asOwner((m) =>
      m.query(`UPDATE audit_log SET canonical = replace(canonical, '"auditor"', '"admin"') WHERE seq IN (6, 9)`),
    );
    expect(await trail.verify(PAGE)).toEqual(edited(6));
  });

  it('names the first missing seq when the entries around a page boundary were deleted', async () => {
    await asOwner((m) => m.query('DELETE FROM audit_log WHERE seq IN (5, 6)'));
    expect(await trail.verify(PAGE)).toEqual({
      ok: false,
      brokenAtSeq: 5,
      reason: 'entries 5 to 6 are missing: the log jumps from entry 4 to entry 7 (deleted)',
      entries: 4,
    });
  });

  it('names entry 1 when the oldest entry was deleted', async () => {
    await asOwner((m) => m.query('DELETE FROM audit_log WHERE seq = 1'));
    expect(await trail.verify(PAGE)).toEqual(
      expect.objectContaining({ ok: false, brokenAtSeq: 1, reason: 'entry 1 is missing: the log starts at entry 2' }),
    );
  });

  it('names an edited filter column on the first entry of a page', async () => {
    await asOwner((m) => m.query(`UPDATE audit_log SET subject_id = 'u-other' WHERE seq = $1`, [PAGE + 1]));
    expect(await trail.verify(PAGE)).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: PAGE + 1,
        reason: expect.stringMatching(/^its subject_id column differs/),
      }),
    );
  });

  it('names a null subject that was given a value, and a subject that was emptied', async () => {
    await asOwner((m) => m.query(`UPDATE audit_log SET subject_id = 'n' WHERE seq = 9`)); // entry 8: null subject
    await asOwner((m) => m.query(`UPDATE audit_log SET subject_id = NULL WHERE seq = 10`));
    expect(await trail.verify(PAGE)).toEqual(expect.objectContaining({ ok: false, brokenAtSeq: 9 }));
  });
});

describe('subject ids holding control characters', () => {
  const odd = ['line\nbreak', 'record\u001eseparator', 'both\u001e\n'];

  beforeEach(() =>
    reset(Array.from({ length: N }, (_, i) => entry(i, i >= 6 && i < 9 ? { subjectId: odd[i - 6] } : {}))),
  );

  it('reads them back as stored and verifies the log', async () => {
    const page = await repository.batchAfter(PAGE, PAGE);
    expect(page.map((e) => e.subjectId)).toEqual(['u5', odd[0], odd[1], odd[2], 'u9']);
    expect(await trail.verify(PAGE)).toEqual({ ok: true, entries: N, checkpoints: 0 });
  });

  it('still names the first broken entry on that page', async () => {
    await asOwner((m) =>
      m.query(`UPDATE audit_log SET canonical = replace(canonical, '"auditor"', '"admin"') WHERE seq = 9`),
    );
    expect(await trail.verify(PAGE)).toEqual(edited(9));
    expect(await trail.verify()).toEqual(edited(9));
  });
});

describe('a longer log in pages of 1,000', () => {
  const LONG = 2500;
  beforeAll(() => reset(Array.from({ length: LONG }, (_, i) => entry(i))));

  it('verifies it whole, in one page or in three', async () => {
    const page = await repository.batchAfter(0, 20_000);
    expect(page.map((e) => e.seq)).toEqual(Array.from({ length: LONG }, (_, i) => i + 1));
    expect(await trail.verify()).toEqual({ ok: true, entries: LONG, checkpoints: 0 });
    expect(await trail.verify(1000)).toEqual({ ok: true, entries: LONG, checkpoints: 0 });
  });

  it('names an entry edited at the start of the second page', async () => {
    await asOwner((m) =>
      m.query(`UPDATE audit_log SET canonical = replace(canonical, '"auditor"', '"admin"') WHERE seq = 1001`),
    );
    expect(await trail.verify(1000)).toEqual(edited(1001));
    expect(await trail.verify()).toEqual(edited(1001));
  });
});

describe('the binary COPY walk (before any checkpoint is signed)', () => {
  const pool = () => (ds.driver as PostgresDriver).master as Pool;
  /** Every pooled connection answers, and none is left busy. */
  async function poolStillWorks(): Promise<void> {
    const size = 10;
    const answers = await Promise.all(Array.from({ length: size }, () => ds.query('SELECT 1 AS one, pg_sleep(0.01)')));
    expect(answers.map((rows: { one: number }[]) => rows[0].one)).toEqual(Array(size).fill(1));
    expect(pool().idleCount).toBe(pool().totalCount);
    const copying: unknown[] = await ds.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND pid <> pg_backend_pid()`,
    );
    expect(copying).toEqual([]);
  }

  it('leaves the pool working after a verify that stopped at a break early in a long page', async () => {
    await reset(Array.from({ length: 3000 }, (_, i) => entry(i)));
    await asOwner((m) =>
      m.query(`UPDATE audit_log SET canonical = replace(canonical, '"auditor"', '"admin"') WHERE seq = 2`),
    );
    for (let i = 0; i < 12; i++) expect(await trail.verify()).toEqual(edited(2)); // more times than the pool has connections
    await poolStillWorks();
  });

  it('closes the connection instead of reusing it when an error interrupts the COPY', async () => {
    await reset(Array.from({ length: 3000 }, (_, i) => entry(i)));
    const total = pool().totalCount;
    await expect(
      repository.walkAfter(0, 20_000, undefined, (e) => {
        if (e.seq === 10) throw new Error('checking failed');
        return true;
      }),
    ).rejects.toThrow('checking failed');
    expect(pool().totalCount).toBeLessThanOrEqual(total);
    await poolStillWorks();
    expect(await trail.verify()).toEqual({ ok: true, entries: 3000, checkpoints: 0 });
  });

  it('reads non-ASCII and astral text and control characters as stored, and names a column edited in them', async () => {
    const odd = (i: number): Partial<AuditEntryInput> => ({
      actor: `user:é-中-🙂-${i}`,
      subjectId: `𝄞\u0001\u001f\t${'ü'.repeat(i)}`,
      data: { note: `\u{10FFFF}\u2028\u0007"\\ ${i}`, emoji: '👩‍👩‍👧' },
    });
    await reset(Array.from({ length: N }, (_, i) => entry(i, odd(i))));
    expect(await trail.verify(PAGE)).toEqual({ ok: true, entries: N, checkpoints: 0 });
    await asOwner((m) => m.query(`UPDATE audit_log SET subject_id = replace(subject_id, '𝄞', '𝄢') WHERE seq = 7`));
    expect(await trail.verify(PAGE)).toEqual(
      expect.objectContaining({ ok: false, brokenAtSeq: 7, reason: expect.stringMatching(/^its subject_id column/) }),
    );
  });

  it('verifies an entry far larger than a COPY chunk, and names it when it was altered', async () => {
    await reset(Array.from({ length: 3 }, (_, i) => entry(i)));
    const [head] = (await ds.query('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    // Larger than the trail accepts (MAX_CANONICAL_BYTES) but as it would be stored: the walk takes any size.
    const at = new Date('2026-02-03T04:05:06.789Z');
    const content = { ...entry(3), subjectId: 'big', data: { blob: '🙂é'.repeat(700_000) } };
    const canonical = canonicalize({ seq: 4, at: at.toISOString(), ...content }) as string;
    const prevHash = head.hash;
    const big = { seq: 4, at, ...content, canonical, prevHash, hash: chainHash(prevHash, canonical) };
    await ds.transaction((m) => repository.insertMany([big], m));
    await ds.transaction((m) => trail.appendMany([entry(4), entry(5)], m));
    expect(await trail.verify()).toEqual({ ok: true, entries: 6, checkpoints: 0 });
    expect(await trail.verify(1)).toEqual({ ok: true, entries: 6, checkpoints: 0 });
    await asOwner((m) => m.query(`UPDATE audit_log SET canonical = replace(canonical, 'é🙂', 'e🙂') WHERE seq = 4`));
    expect(await trail.verify()).toEqual(edited(4));
    await poolStillWorks();
  });
});

describe('the checkpoint walk', () => {
  it('signs an intact log and refuses to sign one broken after it', async () => {
    await reset(Array.from({ length: N }, (_, i) => entry(i)));
    const checkpoints = moduleRef.get(CheckpointService);
    expect((await checkpoints.writeNow()).written).toBe(true);
    await ds.transaction((m) => trail.appendMany([entry(N), entry(N + 1)], m));
    await asOwner((m) =>
      m.query(`UPDATE audit_log SET canonical = replace(canonical, '"auditor"', '"admin"') WHERE seq = $1`, [N + 1]),
    );
    await expect(checkpoints.writeNow()).rejects.toThrow(
      `No checkpoint written: the audit trail is broken at entry ${N + 1}: its content does not match its hash`,
    );
    expect(await trail.verify(PAGE)).toEqual(expect.objectContaining({ ok: false, brokenAtSeq: N + 1 }));
  });
});
