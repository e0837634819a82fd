// The audit trail on real PostgreSQL: appends in the caller's transaction, one unbroken chain under
// concurrent writers, the append-only trigger, signed checkpoints, and verification against tampering by
// someone who owns the database (triggers disabled, rows edited, deleted, or rewritten with every later
// hash recomputed).
import { Test, TestingModule } from '@nestjs/testing';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { CheckpointInconsistentError } from '../../src/audit-trail/audit-trail.errors';
import { AuditTrailModule } from '../../src/audit-trail/audit-trail.module';
import { AuditTrailService } from '../../src/audit-trail/audit-trail.service';
import { CheckpointService } from '../../src/audit-trail/checkpoint.service';
import { CheckpointStore } from '../../src/audit-trail/checkpoint.store';
import {
  AuditEntryInput,
  chainHash,
  GENESIS_HASH,
  InvalidAuditEntryError,
  nextEntry,
} from '../../src/audit-trail/domain/audit-entry';
import { checkpointBody, signCheckpoint } from '../../src/audit-trail/domain/checkpoint';
import { ValidationError } from '../../src/common/errors/app-error';
import { loadConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { SchedulerService } from '../../src/jobs/scheduler.service';
import { createTestDatabase, TestDatabase } from '../support/database';
import type { AuditAction } from '../../src/audit-trail/domain/audit-actions';

let db: TestDatabase;
let moduleRef: TestingModule;
let ds: DataSource;
let trail: AuditTrailService;
let checkpoints: CheckpointService;
let dataDir: string;
let exportDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'attest-trail-'));
  exportDir = join(dataDir, 'export');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    JOBS_ENABLED: 'false',
    DB_POOL_SIZE: '12',
    AUDIT_CHECKPOINT_EXPORT_DIR: exportDir,
  });
  moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ migrate: false }), AuditTrailModule],
  })
    .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
    .compile();
  await moduleRef.init();
  ds = moduleRef.get(DataSource);
  trail = moduleRef.get(AuditTrailService);
  checkpoints = moduleRef.get(CheckpointService);
});

afterAll(async () => {
  await moduleRef?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const entry = (i: number, over: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  actor: `user:00000000-0000-4000-8000-00000000000${i % 3}`,
  action: i % 2 ? 'user.update' : 'user.create',
  subjectType: 'User',
  subjectId: `u${i}`,
  data: { role: 'auditor', n: i },
  ...over,
});

async function appendMany(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await trail.record(entry(i));
}

/** What a database owner can do: switch the append-only triggers off around a statement. */
async function asOwner(run: (m: EntityManager) => Promise<unknown>): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await run(m);
    await m.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
  });
}

async function reset(): Promise<void> {
  await asOwner((m) => m.query('DELETE FROM audit_log'));
  await ds.query('DELETE FROM audit_checkpoints');
  rmSync(join(dataDir, 'checkpoints'), { recursive: true, force: true });
  rmSync(exportDir, { recursive: true, force: true });
}

type Row = { seq: string; canonical: string; prev_hash: string; hash: string };
const rows = async (): Promise<Row[]> => ds.query('SELECT seq, canonical, prev_hash, hash FROM audit_log ORDER BY seq');

describe('appending', () => {
  beforeAll(reset);

  it('chains entries from the genesis hash, storing the exact hashed text', async () => {
    await trail.record(entry(0));
    const second = await trail.record({
      actor: 'system:cli',
      action: 'catalog.sync' as AuditAction, // the trail's mechanics, not a real action
      subjectType: 'Control',
      data: { changed: ['PRV-01'], note: 'café สวัสดี' },
    });
    expect(second.seq).toBe(2);
    const [a, b] = await rows();
    expect(a.prev_hash).toBe(GENESIS_HASH);
    expect(a.hash).toBe(chainHash(GENESIS_HASH, a.canonical));
    expect(b.prev_hash).toBe(a.hash);
    expect(b.hash).toBe(second.hash);
    expect(b.canonical).toBe(
      `{"action":"catalog.sync","actor":"system:cli","at":"${second.at.toISOString()}","data":{"changed":["PRV-01"],"note":"café สวัสดี"},"seq":2,"subjectId":null,"subjectType":"Control"}`,
    );
    expect(await trail.verify()).toEqual({ ok: true, entries: 2, checkpoints: 0 });
  });

  it('writes in the caller’s transaction: a rollback takes the entry with it and leaves no gap', async () => {
    await expect(
      ds.transaction(async (m) => {
        await trail.append(entry(9), m);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await rows()).map((r) => r.seq)).toEqual(['1', '2']);
    expect((await trail.record(entry(3))).seq).toBe(3);
    expect(await trail.verify()).toEqual({ ok: true, entries: 3, checkpoints: 0 });
  });

  it('refuses to append outside a transaction', async () => {
    await expect(trail.append(entry(1), ds.manager)).rejects.toThrow(/needs the EntityManager of an open transaction/);
  });

  it('refuses secrets and e-mail addresses, writing nothing and holding no lock', async () => {
    await expect(trail.record(entry(1, { data: { password: 'hunter2' } }))).rejects.toThrow(InvalidAuditEntryError);
    await expect(trail.record(entry(1, { data: { email: 'someone@example.com' } }))).rejects.toThrow(/e-mail address/);
    expect(await rows()).toHaveLength(3);
    expect((await trail.record(entry(4))).seq).toBe(4);
  });

  it('appends many entries in order in one go, chained after the head, in the caller’s transaction', async () => {
    const appended = await ds.transaction((m) => trail.appendMany([entry(5), entry(6), entry(7)], m));
    expect(appended.map((a) => a.seq)).toEqual([5, 6, 7]);
    const stored = await rows();
    expect(stored.map((r) => r.seq)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    for (let i = 4; i < 7; i++) {
      expect(stored[i].prev_hash).toBe(stored[i - 1].hash);
      expect(stored[i].hash).toBe(appended[i - 4].hash);
      expect(JSON.parse(stored[i].canonical)).toMatchObject({ seq: i + 1, subjectId: `u${i + 1}` });
    }
    await expect(
      ds.transaction(async (m) => {
        await trail.appendMany([entry(8), entry(9)], m);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await expect(
      ds.transaction((m) => trail.appendMany([entry(8), entry(9, { data: { token: 'x' } })], m)),
    ).rejects.toThrow(InvalidAuditEntryError);
    await expect(trail.appendMany([entry(8)], ds.manager)).rejects.toThrow(/open transaction/);
    expect(await rows()).toHaveLength(7);
    expect(await trail.verify()).toEqual({ ok: true, entries: 7, checkpoints: 0 });
  });

  it('a batch stores exactly the chain appending its entries one by one at that time would (any text, any size)', async () => {
    const texts = ['say "hi"', 'back\\slash \\" both', 'line\nbreak\u0001', 'ไทย', '😀', '{"k":1}'];
    const batch = Array.from({ length: 700 }, (_, i) =>
      entry(i, {
        subjectId: `${texts[i % texts.length]} ${i}`,
        data: { title: texts[i % texts.length], n: i, list: texts },
      }),
    );
    const [head] = await ds.query(`SELECT seq::int AS seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
    const appended = await ds.transaction((m) => trail.appendMany(batch, m));
    let expected: { seq: number; hash: string } = head;
    const stored = (await rows()).slice(-batch.length);
    batch.forEach((input, i) => {
      const one = nextEntry(expected, input, appended[0].at);
      expect(stored[i]).toEqual({
        seq: String(one.content.seq),
        canonical: one.canonical,
        prev_hash: one.prevHash,
        hash: one.hash,
      });
      expect(JSON.parse(stored[i].canonical)).toMatchObject({ subjectId: input.subjectId, data: input.data });
      expected = { seq: one.content.seq, hash: one.hash };
    });
    const [subjects] = await ds.query(
      `SELECT array_agg(subject_id ORDER BY seq) AS ids FROM audit_log WHERE seq > $1`,
      [head.seq],
    );
    expect(subjects.ids).toEqual(batch.map((b) => b.subjectId));
    expect(await trail.verify()).toEqual({ ok: true, entries: 7 + batch.length, checkpoints: 0 });
  });
});

describe('concurrent writers', () => {
  beforeAll(reset);

  it('keeps one unbroken chain with contiguous seqs: 8 writers × 50 appends', async () => {
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 50; i++) {
          // Half of them append inside a transaction that also does other work, as services do.
          if (i % 2) await trail.record(entry(i, { subjectId: `w${writer}-${i}` }));
          else
            await ds.transaction(async (m) => {
              await m.query('SELECT 1');
              await trail.append(entry(i, { subjectId: `w${writer}-${i}` }), m);
            });
        }
      }),
    );
    const all = await rows();
    expect(all.map((r) => Number(r.seq))).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(new Set(all.map((r) => r.prev_hash)).size).toBe(400); // no fork: every entry has its own predecessor
    const [{ count }] = await ds.query(`SELECT count(DISTINCT subject_id)::int AS count FROM audit_log`);
    expect(count).toBe(400);
    expect(await trail.verify()).toEqual({ ok: true, entries: 400, checkpoints: 0 });
  });
});

describe('the append-only trigger', () => {
  beforeAll(async () => {
    await reset();
    await appendMany(3);
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET actor = 'anonymous' WHERE seq = 2`],
    ['DELETE', `DELETE FROM audit_log WHERE seq = 3`],
    ['TRUNCATE', `TRUNCATE audit_log`],
  ])('refuses %s with a clear message', async (op, sql) => {
    let error: (Error & { driverError?: { code?: string } }) | undefined;
    try {
      await ds.query(sql);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe(`audit_log is append-only: ${op} is not allowed`);
    expect(error?.driverError?.code).toBe('42501');
    expect(await rows()).toHaveLength(3);
  });
});

describe('verification against tampering by the database owner', () => {
  beforeEach(async () => {
    await reset();
    await appendMany(12);
  });

  it('finds no problem in an untouched log with checkpoints', async () => {
    expect((await checkpoints.writeNow()).written).toBe(true);
    await appendMany(5);
    expect((await checkpoints.writeNow()).written).toBe(true);
    expect(await trail.verify()).toEqual({ ok: true, entries: 17, checkpoints: 2 }); // exported copies count once
  });

  it('names exactly the entry whose canonical text was edited', async () => {
    await asOwner((m) =>
      m.query(
        `UPDATE audit_log SET canonical = replace(canonical, '"role":"auditor"', '"role":"admin"') WHERE seq = 7`,
      ),
    );
    expect(await trail.verify()).toEqual({
      ok: false,
      brokenAtSeq: 7,
      reason: 'its content does not match its hash: the entry was altered after it was written',
      entries: 6,
    });
  });

  it('names an entry whose filter column was edited', async () => {
    await asOwner((m) => m.query(`UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 4`));
    expect(await trail.verify()).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 4,
        reason: expect.stringMatching(/^its actor column differs/),
      }),
    );
  });

  it('names the first missing seq when a row in the middle was deleted', async () => {
    await asOwner((m) => m.query('DELETE FROM audit_log WHERE seq IN (5, 6)'));
    expect(await trail.verify()).toEqual({
      ok: false,
      brokenAtSeq: 5,
      reason: 'entries 5 to 6 are missing: the log jumps from entry 4 to entry 7 (deleted)',
      entries: 4,
    });
  });

  it('detects the newest entries deleted after a checkpoint, and refuses to sign the shortened log', async () => {
    await checkpoints.writeNow(new Date('2026-01-05T03:05:00Z'));
    await asOwner((m) => m.query('DELETE FROM audit_log WHERE seq > 9'));
    expect(await trail.verify()).toEqual({
      ok: false,
      brokenAtSeq: 10,
      reason:
        'the log ends at entry 9, but checkpoint checkpoint-000000000012.txt (signed 2026-01-05T03:05:00.000Z) shows it had 12 entries: entries 10 to 12 were removed',
      entries: 9,
    });
    await expect(checkpoints.writeNow()).rejects.toThrow(CheckpointInconsistentError);
    // Growing the log back to the same length with other entries does not hide it either.
    await appendMany(3);
    expect(await trail.verify()).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 12,
        reason: expect.stringMatching(/differs from the one in signed checkpoint checkpoint-000000000012\.txt/),
      }),
    );
  });

  it('still detects them when the local checkpoint files were deleted too, through the exported copy', async () => {
    await checkpoints.writeNow();
    await asOwner((m) => m.query('DELETE FROM audit_log WHERE seq > 10'));
    rmSync(join(dataDir, 'checkpoints'), { recursive: true, force: true });
    expect(await trail.verify()).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 11,
        reason: expect.stringContaining(`but checkpoint ${join(exportDir, 'checkpoint-000000000012.txt')} (signed `),
      }),
    );
  });

  it('verifies a checkpoint another instance wrote (its files on another host) from the shared table', async () => {
    await checkpoints.writeNow();
    rmSync(join(dataDir, 'checkpoints'), { recursive: true, force: true });
    rmSync(exportDir, { recursive: true, force: true });
    expect(await trail.verify()).toEqual({ ok: true, entries: 12, checkpoints: 1 });
    await asOwner((m) => m.query('DELETE FROM audit_log WHERE seq > 10'));
    expect(await trail.verify()).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 11,
        reason: expect.stringContaining('but checkpoint stored checkpoint 12 (signed '),
      }),
    );
  });

  it('detects a rewritten entry whose later hashes were all recomputed, through the checkpoint', async () => {
    await checkpoints.writeNow();
    // The attacker edits entry 5 and recomputes every hash after it: the chain alone is consistent again.
    const all = await rows();
    let prev = all[3].hash;
    await asOwner(async (m) => {
      for (const r of all.slice(4)) {
        const canonical = r.seq === '5' ? r.canonical.replace('"role":"auditor"', '"role":"admin"') : r.canonical;
        const hash = chainHash(prev, canonical);
        await m.query('UPDATE audit_log SET canonical = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
          r.seq,
          canonical,
          prev,
          hash,
        ]);
        prev = hash;
      }
    });
    const result = await trail.verify();
    expect(result).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 12,
        reason: expect.stringMatching(
          /^its hash differs from the one in signed checkpoint checkpoint-000000000012\.txt.*the log up to entry 12 was rewritten/,
        ),
      }),
    );
    await expect(checkpoints.writeNow()).rejects.toThrow(/broken at entry 12/);
  });

  it('detects a checkpoint signed with another key', async () => {
    const [, , , , , sixth] = await rows();
    const other = generateKeyPairSync('ed25519');
    const forged = signCheckpoint(checkpointBody({ seq: 6, hash: sixth.hash, time: new Date() }), other.privateKey);
    await checkpoints.writeNow(); // creates the real key and a real checkpoint at 12
    writeFileSync(join(dataDir, 'checkpoints', CheckpointStore.fileName(6)), forged);
    expect(await trail.verify()).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 6,
        reason: expect.stringMatching(/^checkpoint checkpoint-000000000006\.txt is not signed by this log's key/),
      }),
    );
  });

  it('detects an edited checkpoint file', async () => {
    await checkpoints.writeNow();
    const file = join(dataDir, 'checkpoints', CheckpointStore.fileName(12));
    writeFileSync(file, readFileSync(file, 'utf8').replace('\n12\n', '\n11\n'));
    expect(await trail.verify()).toEqual(
      expect.objectContaining({
        ok: false,
        brokenAtSeq: 11,
        reason: expect.stringMatching(/signature that does not match its content/),
      }),
    );
  });
});

describe('checkpoints', () => {
  beforeAll(reset);

  it('writes nothing for an empty log', async () => {
    expect(await checkpoints.writeNow()).toEqual({ written: false, reason: 'empty' });
  });

  it('creates the signing key at first use (0600), writes a file per checkpoint, copies it to the export folder', async () => {
    await appendMany(4);
    const first = await checkpoints.writeNow(new Date('2026-01-05T03:05:00.000Z'));
    const [head] = (await rows()).slice(-1);
    expect(first).toEqual({
      written: true,
      seq: 4,
      hash: head.hash,
      file: join(dataDir, 'checkpoints', 'checkpoint-000000000004.txt'),
      exportedTo: join(exportDir, 'checkpoint-000000000004.txt'),
    });
    const key = join(dataDir, 'keys', 'audit-trail-ed25519.pem');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const text = readFileSync(first.written ? first.file : '', 'utf8');
    expect(text.split('\n').slice(0, 4)).toEqual([
      'attest/audit-trail',
      '4',
      Buffer.from(head.hash, 'hex').toString('base64'),
      'time 2026-01-05T03:05:00.000Z',
    ]);
    expect(readFileSync(join(exportDir, 'checkpoint-000000000004.txt'), 'utf8')).toBe(text);
    expect(readdirSync(exportDir).filter((f) => f.endsWith('.pub.pem'))).toHaveLength(1);
  });

  it('skips when the head has not moved, and writes again when it has', async () => {
    expect(await checkpoints.writeNow()).toEqual(
      expect.objectContaining({ written: false, reason: 'unchanged', seq: 4 }),
    );
    await appendMany(2);
    expect(await checkpoints.writeNow()).toEqual(expect.objectContaining({ written: true, seq: 6 }));
    expect(readdirSync(join(dataDir, 'checkpoints')).sort()).toEqual([
      'checkpoint-000000000004.txt',
      'checkpoint-000000000006.txt',
    ]);
    expect(await trail.verify()).toEqual({ ok: true, entries: 6, checkpoints: 2 });
  });

  it('reports checkpoints it cannot check once the key is gone', async () => {
    rmSync(join(dataDir, 'keys'), { recursive: true, force: true });
    const fresh = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(
          loadConfig({
            NODE_ENV: 'test',
            DATABASE_URL: db.url,
            DATA_DIR: dataDir,
            JOBS_ENABLED: 'false',
            DB_POOL_SIZE: '2',
          }),
        ),
        DatabaseModule.forRoot({ migrate: false }),
        AuditTrailModule,
      ],
    })
      .setLogger({ log: () => undefined, error: () => undefined, warn: () => undefined })
      .compile();
    try {
      const result = await fresh.get(AuditTrailService).verify();
      expect(result).toEqual(
        expect.objectContaining({
          ok: false,
          brokenAtSeq: 4,
          reason: expect.stringMatching(
            /^checkpoint checkpoint-000000000004\.txt cannot be checked: there is no signing key at /,
          ),
        }),
      );
      expect(existsSync(join(dataDir, 'keys'))).toBe(false); // verification never creates a key
    } finally {
      await fresh.close();
    }
  });
});

describe('listing', () => {
  beforeAll(async () => {
    await reset();
    // Times are stored to the millisecond: two entries in the same millisecond cannot be told apart by a
    // time filter, so each entry here gets a millisecond of its own (CI once wrote entries 4 and 5 in one).
    for (let i = 0; i < 7; i++) {
      await trail.record(entry(i));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await trail.record({
      actor: 'anonymous',
      action: 'auth.login_failed',
      subjectType: 'User',
      subjectId: null,
      data: { reason: 'wrong_password' },
    });
  });

  it('pages newest first with the total', async () => {
    const page = await trail.list({ limit: 3, offset: 2 });
    expect(page.total).toBe(8);
    expect([page.limit, page.offset]).toEqual([3, 2]);
    expect(page.items.map((e) => e.seq)).toEqual([6, 5, 4]);
    expect(page.items[0]).toEqual({
      seq: 6,
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      actor: 'user:00000000-0000-4000-8000-000000000002',
      action: 'user.update',
      subjectType: 'User',
      subjectId: 'u5',
      data: { n: 5, role: 'auditor' },
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await trail.list({})).limit).toBe(50);
  });

  it('filters by actor, action, subject and time', async () => {
    expect((await trail.list({ actor: 'anonymous' })).items.map((e) => e.action)).toEqual(['auth.login_failed']);
    expect((await trail.list({ action: 'user.create' })).total).toBe(4);
    expect((await trail.list({ subjectType: 'User', subjectId: 'u3' })).items.map((e) => e.seq)).toEqual([4]);
    const fourth = (await trail.list({ subjectId: 'u3' })).items[0];
    expect((await trail.list({ from: fourth.at })).total).toBe(5);
    expect((await trail.list({ to: fourth.at })).total).toBe(4);
    expect((await trail.list({ from: '2000-01-01', to: '2000-01-31' })).total).toBe(0);
    expect((await trail.list({ to: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) })).total).toBe(8);
  });

  it('names the field of a bad time filter', async () => {
    await expect(trail.list({ from: '2026-02-30' })).rejects.toEqual(
      new ValidationError([{ field: 'from', message: 'is not a real date' }]),
    );
  });
});

describe('the scheduler', () => {
  it('runs a job under a cluster-wide lock: a second run while the first holds it is skipped', async () => {
    const scheduler = moduleRef.get(SchedulerService);
    let started!: () => void;
    let release!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const job = {
      name: 'test-lock',
      cron: '0 0 1 1 *',
      run: async () => {
        runs++;
        started();
        await gate;
      },
    };
    const first = scheduler.runNow(job);
    await running;
    expect(await scheduler.runNow(job)).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(runs).toBe(1);
    expect(await scheduler.runNow({ ...job, run: async () => void runs++ })).toBe(true);
    expect(runs).toBe(2);
  });

  it('schedules nothing when jobs are disabled', () => {
    expect(
      moduleRef.get(SchedulerService).schedule({ name: 'never', cron: '* * * * *', run: async () => undefined }),
    ).toBe(false);
  });
});
