// The evidence locker on real PostgreSQL: content-addressed blobs (the same bytes stored once, even when
// two uploads race), chunked storage that round-trips byte for byte, uploads interrupted midway or failing
// at commit leaving nothing behind (no rows, no chunks, no staged file), the append-only triggers, and
// the service interface the sweeps use (snapshots, attestations, freshness dates, linked evidence).
// Everything runs twice: with the bytes in PostgreSQL (the default) and with BLOB_STORE=filesystem.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  closeSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CatalogService } from '../../src/catalog/catalog.service';
import type { UserActor } from '../../src/authz/actor';
import { BLOB_CHUNK_BYTES } from '../../src/evidence/domain/evidence-model';
import { NotYourControlError } from '../../src/evidence/evidence.errors';
import { EvidenceQueriesService } from '../../src/evidence/evidence-queries.service';
import { EvidenceUploadService } from '../../src/evidence/evidence-upload.service';
import { EvidenceService } from '../../src/evidence/evidence.service';
import type { UploadPart } from '../../src/evidence/upload-parts';
import { BlobRepository } from '../../src/evidence/blob.repository';
import { BlobCollector } from '../../src/evidence/blob-collector';
import { FilesystemBlobStore } from '../../src/evidence/filesystem-blob.store';
import { UploadStaging } from '../../src/evidence/upload-staging';
import { startTestApp, TestApp } from '../support/app';

let t: TestApp;
let evidence: EvidenceService;
let uploads: EvidenceUploadService;
let queries: EvidenceQueriesService;
let stagingDir: string;
let db: Client;
let ids: Record<string, string>;
let blobDir: string;

const actor = (role: UserActor['role'], departmentKey: string | null = 'compliance'): UserActor => ({
  kind: 'user',
  id: randomUUID(),
  email: 'x@example.test',
  name: 'x',
  role,
  departmentId: null,
  departmentKey,
  via: 'session',
});
const manager = actor('compliance_manager');
const engineer = actor('control_owner', 'engineering');

const count = async (table: string, where = 'TRUE', params: unknown[] = []) =>
  Number((await db.query(`SELECT count(*) FROM ${table} WHERE ${where}`, params)).rows[0].count);
/** Every file under BLOB_DIR, as paths relative to it. */
const filesUnder = (dir: string, prefix = ''): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
      )
    : [];
const counts = async () => ({
  evidence: await count('evidence'),
  files: await count('evidence_files'),
  links: await count('evidence_controls'),
  blobs: await count('blobs'),
  chunks: await count('blob_chunks'),
  blobFiles: filesUnder(blobDir).length,
  creates: await count('audit_log', `action = 'evidence.create'`),
});
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A PDF-looking file of `size` bytes (random after the header, so no two are alike). */
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

const FIELDS = {
  title: 'Access review',
  controls: 'ENG-01,ENG-02',
  evidenceDate: '2026-11-20',
  periodStart: '2026-10-01',
  periodEnd: '2026-12-31',
};

async function* parts(
  files: { filename: string; stream: Readable }[],
  fields: Record<string, string> = FIELDS,
): AsyncGenerator<UploadPart> {
  for (const [name, value] of Object.entries(fields)) yield { type: 'field', name, value, truncated: false };
  for (const f of files)
    yield { type: 'file', name: 'file', filename: f.filename, stream: f.stream, truncated: () => false };
}
/** The bytes in 64 KiB pieces, as a network upload arrives. */
const streamOf = (b: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += 65536) yield b.subarray(i, i + 65536);
    })(),
  );

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
/** Reads a stream until it ends or fails: how many bytes came, and the error. */
async function readUntilError(stream: Readable): Promise<{ received: number; error: Error | null }> {
  let received = 0;
  try {
    for await (const c of stream) received += (c as Buffer).length;
    return { received, error: null };
  } catch (e) {
    return { received, error: e as Error };
  }
}

describe.each(['postgres', 'filesystem'] as const)('BLOB_STORE=%s', (store) => {
  beforeAll(async () => {
    t = await startTestApp({ env: { BLOB_STORE: store } }); // syncs controls/ at start
    evidence = t.app.get(EvidenceService);
    uploads = t.app.get(EvidenceUploadService);
    queries = t.app.get(EvidenceQueriesService);
    stagingDir = t.app.get(UploadStaging).dir;
    blobDir = t.config.blobDir;
    db = new Client({ connectionString: t.db.url });
    await db.connect();
    ids = Object.fromEntries(
      (await t.app.get(CatalogService).controlsByKeys(['ENG-01', 'ENG-02', 'ACC-02', 'CLS-01'])).map((c) => [
        c.key,
        c.id,
      ]),
    );
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** How many chunk rows and files new bytes of `size` add in this store. */
  const added = (size: number) =>
    store === 'postgres' ? { chunks: Math.ceil(size / BLOB_CHUNK_BYTES), blobFiles: 0 } : { chunks: 0, blobFiles: 1 };

  describe('blobs', () => {
    it('stores the same bytes once: the second upload links the existing blob', async () => {
      const bytes = pdf(300_000);
      const before = await counts();
      const a = await uploads.upload(manager, parts([{ filename: 'a.pdf', stream: streamOf(bytes) }]));
      const b = await uploads.upload(manager, parts([{ filename: 'copy of a.pdf', stream: streamOf(bytes) }]));
      expect(a.id).not.toBe(b.id);
      expect(a.files[0].sha256).toBe(sha256(bytes));
      expect(b.files[0].sha256).toBe(a.files[0].sha256);
      expect(b.files[0].filename).toBe('copy of a.pdf');
      const after = await counts();
      expect(after.evidence - before.evidence).toBe(2);
      expect(after.blobs - before.blobs).toBe(1);
      expect({ chunks: after.chunks - before.chunks, blobFiles: after.blobFiles - before.blobFiles }).toEqual(
        added(bytes.length),
      );
      expect(after.creates - before.creates).toBe(2);
    });

    it('stores the same new bytes once when two uploads race', async () => {
      const bytes = pdf(2 * BLOB_CHUNK_BYTES + 10);
      const before = await counts();
      const [a, b] = await Promise.all([
        uploads.upload(manager, parts([{ filename: 'one.pdf', stream: streamOf(bytes) }])),
        uploads.upload(manager, parts([{ filename: 'two.pdf', stream: streamOf(bytes) }])),
      ]);
      expect(a.files[0].sha256).toBe(b.files[0].sha256);
      const after = await counts();
      expect(after.evidence - before.evidence).toBe(2);
      expect(after.blobs - before.blobs).toBe(1);
      expect({ chunks: after.chunks - before.chunks, blobFiles: after.blobFiles - before.blobFiles }).toEqual(
        added(bytes.length),
      );
    });

    it('chunks a file larger than several chunks and gives back exactly the same bytes', async () => {
      const bytes = pdf(Math.floor(4.5 * BLOB_CHUNK_BYTES));
      const item = await uploads.upload(manager, parts([{ filename: 'big.pdf', stream: streamOf(bytes) }]));
      const sha = sha256(bytes);
      const chunks = (
        await db.query(`SELECT n, length(data) AS len FROM blob_chunks WHERE sha256 = $1 ORDER BY n`, [sha])
      ).rows;
      if (store === 'postgres') {
        expect(chunks).toEqual(
          [0, 1, 2, 3, 4].map((n) => ({ n, len: n < 4 ? BLOB_CHUNK_BYTES : bytes.length - 4 * BLOB_CHUNK_BYTES })),
        );
      } else {
        expect(chunks).toEqual([]);
        expect(readFileSync(join(blobDir, sha.slice(0, 2), sha.slice(2, 4), sha)).equals(bytes)).toBe(true);
      }
      expect(
        (await db.query(`SELECT size, media_type, chunk_size, store FROM blobs WHERE sha256 = $1`, [sha])).rows[0],
      ).toEqual({ size: String(bytes.length), media_type: 'application/pdf', chunk_size: BLOB_CHUNK_BYTES, store });
      const download = await queries.download(manager, item.id, 1);
      expect(download).toMatchObject({
        size: bytes.length,
        sha256: sha,
        contentType: 'application/pdf',
        filename: 'big.pdf',
      });
      const back = await readAll(download.stream);
      expect(sha256(back)).toBe(sha);
      expect(back.equals(bytes)).toBe(true);
    });

    it('stores a file of exactly eight chunks (two full multi-row inserts) byte for byte', async () => {
      const bytes = pdf(8 * BLOB_CHUNK_BYTES);
      const sha = sha256(bytes);
      const before = await counts();
      const item = await uploads.upload(manager, parts([{ filename: 'eight.pdf', stream: streamOf(bytes) }]));
      expect(item.files[0]).toMatchObject({ sha256: sha, size: bytes.length });
      const after = await counts();
      expect({ chunks: after.chunks - before.chunks, blobFiles: after.blobFiles - before.blobFiles }).toEqual(
        added(bytes.length),
      );
      if (store === 'postgres')
        expect(
          (await db.query(`SELECT n, length(data) AS len FROM blob_chunks WHERE sha256 = $1 ORDER BY n`, [sha])).rows,
        ).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({ n, len: BLOB_CHUNK_BYTES })));
      const back = await readAll((await queries.download(manager, item.id, 1)).stream);
      expect(sha256(back)).toBe(sha);
      expect(back.equals(bytes)).toBe(true);
      expect(readdirSync(stagingDir)).toEqual([]);
    });

    it('holds several files in one item, in order', async () => {
      const one = pdf(1000);
      const two = Buffer.from('user,role\nsomchai,admin\n');
      const item = await uploads.upload(
        manager,
        parts([
          { filename: 'one.pdf', stream: streamOf(one) },
          { filename: 'users.csv', stream: streamOf(two) },
        ]),
      );
      expect(item.files.map((f) => [f.n, f.filename, f.mediaType, f.size])).toEqual([
        [1, 'one.pdf', 'application/pdf', 1000],
        [2, 'users.csv', 'text/csv', two.length],
      ]);
      expect(await readAll((await queries.download(manager, item.id, 2)).stream)).toEqual(two);
    });

    // Only the filesystem store leaves files behind (PostgreSQL rolls chunks back with the transaction).
    if (store === 'filesystem') {
      it('the daily garbage collection removes day-old leftovers (.tmp, unreferenced files) and never evidence', async () => {
        const kept = pdf(50_000);
        const item = await uploads.upload(manager, parts([{ filename: 'kept.pdf', stream: streamOf(kept) }]));
        const fs = t.app.get(FilesystemBlobStore);
        const keptPath = fs.pathOf(item.files[0].sha256);
        const orphanBytes = randomBytes(1000);
        const orphan = fs.pathOf(sha256(orphanBytes));
        const freshBytes = randomBytes(1000);
        const fresh = fs.pathOf(sha256(freshBytes));
        for (const [path, bytes] of [
          [orphan, orphanBytes],
          [fresh, freshBytes],
        ] as const) {
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, bytes);
        }
        const temp = `${orphan}.abc123.tmp`;
        writeFileSync(temp, 'half written');
        const dayAgo = new Date(Date.now() - 25 * 3_600_000);
        for (const path of [keptPath, orphan, temp]) utimesSync(path, dayAgo, dayAgo);
        const result = await t.app.get(BlobCollector).collect();
        expect(result).toMatchObject({ tempFiles: 1, orphans: 1 });
        expect([existsSync(orphan), existsSync(temp)]).toEqual([false, false]);
        expect(existsSync(fresh)).toBe(true); // too young: an upload may be between its rename and its commit
        expect(readFileSync(keptPath)).toEqual(kept);
        expect((await readAll((await queries.download(manager, item.id)).stream)).equals(kept)).toBe(true);
        rmSync(fresh);
      });
    }

    it('never serves bytes that no longer match their hash', async () => {
      const bytes = pdf(BLOB_CHUNK_BYTES + 5);
      const item = await uploads.upload(manager, parts([{ filename: 'tamper.pdf', stream: streamOf(bytes) }]));
      if (store === 'postgres') {
        // What a database owner could do: switch the trigger off and change a stored chunk (flip every bit of
        // one byte: writing a fixed value left random bytes unchanged one run in 256).
        await db.query('BEGIN');
        await db.query('ALTER TABLE blob_chunks DISABLE TRIGGER USER');
        await db.query(
          `UPDATE blob_chunks SET data = set_byte(data, 99, get_byte(data, 99) # 255) WHERE sha256 = $1 AND n = 0`,
          [sha256(bytes)],
        );
        await db.query('ALTER TABLE blob_chunks ENABLE TRIGGER USER');
        await db.query('COMMIT');
      } else {
        // What anyone with write access to BLOB_DIR could do: change a byte of the file in place.
        const fd = openSync(t.app.get(FilesystemBlobStore).pathOf(sha256(bytes)), 'r+');
        writeSync(fd, Buffer.from([bytes[99] ^ 0xff]), 0, 1, 99);
        closeSync(fd);
      }
      const { stream } = await queries.download(manager, item.id, 1);
      const { received, error } = await readUntilError(stream);
      expect(error?.message).toMatch(/do not match the hash/);
      expect(received).toBeLessThan(bytes.length);
    });
  });

  describe('an upload that does not complete leaves nothing', () => {
    it('a client abort midway: no evidence row, no blob, no chunks, no staged file', async () => {
      const before = await counts();
      let sent = 0;
      const aborted = new Readable({
        read() {
          if (sent >= 3 * BLOB_CHUNK_BYTES) {
            this.destroy(
              Object.assign(new Error('the request was closed before the multipart data was fully parsed'), {
                code: 'FST_MP_PREMATURE_CLOSE',
              }),
            );
            return;
          }
          this.push(
            sent === 0 ? Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(65536 - 9)]) : randomBytes(65536),
          );
          sent += 65536;
        },
      });
      await expect(uploads.upload(manager, parts([{ filename: 'half.pdf', stream: aborted }]))).rejects.toThrow(
        /closed before/,
      );
      expect(await counts()).toEqual(before);
      expect(readdirSync(stagingDir)).toEqual([]);
    });

    it('a failure after the first of two files: the first staged file is removed too', async () => {
      const before = await counts();
      const broken = new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
      await expect(
        uploads.upload(
          manager,
          parts([
            { filename: 'ok.pdf', stream: streamOf(pdf(200_000)) },
            { filename: 'broken.pdf', stream: broken },
          ]),
        ),
      ).rejects.toThrow('connection reset');
      expect(await counts()).toEqual(before);
      expect(readdirSync(stagingDir)).toEqual([]);
    });

    it("a refusal after the whole file arrived (another department's control): nothing stored", async () => {
      const before = await counts();
      const upload = uploads.upload(
        engineer,
        parts([{ filename: 'x.pdf', stream: streamOf(pdf(BLOB_CHUNK_BYTES * 2)) }], {
          ...FIELDS,
          controls: 'ENG-01,CLS-01',
        }),
      );
      await expect(upload).rejects.toBeInstanceOf(NotYourControlError);
      expect(await counts()).toEqual(before);
      expect(readdirSync(stagingDir)).toEqual([]);
    });

    it('a transaction that rolls back after recording: no item, no blob, no audit entry', async () => {
      const before = await counts();
      const filesBefore = new Set(filesUnder(blobDir));
      const ds = t.app.get(DataSource);
      await expect(
        ds.transaction(async (m) => {
          await evidence.recordSnapshot(
            {
              actor: 'system:test',
              title: 'rolled back',
              controlIds: [ids['ENG-01']],
              data: { unique: randomUUID() },
              source: 'collector:test',
              evidenceDate: new Date(),
              periodStart: '2026-11-16',
              periodEnd: '2026-11-22',
            },
            m,
          );
          throw new Error('the caller failed later');
        }),
      ).rejects.toThrow('the caller failed later');
      // A filesystem blob's file was placed before the rollback and stays: unreferenced, and holding exactly
      // the bytes its name says (a later upload of them reuses it).
      expect(await counts()).toEqual({ ...before, blobFiles: before.blobFiles + (store === 'filesystem' ? 1 : 0) });
      for (const f of filesUnder(blobDir).filter((f) => !filesBefore.has(f)))
        expect(sha256(readFileSync(join(blobDir, f)))).toBe(f.split('/')[2]);
    });
  });

  if (store === 'filesystem') {
    describe('the filesystem store', () => {
      const pathOf = (sha: string) => t.app.get(FilesystemBlobStore).pathOf(sha);

      it('keeps a file as BLOB_DIR/ab/cd/<sha256> (mode 0600), and no temporary file once stored', async () => {
        const bytes = pdf(70_000);
        const sha = sha256(bytes);
        await uploads.upload(manager, parts([{ filename: 'layout.pdf', stream: streamOf(bytes) }]));
        expect(pathOf(sha)).toBe(join(blobDir, sha.slice(0, 2), sha.slice(2, 4), sha));
        expect(statSync(pathOf(sha)).mode & 0o777).toBe(0o600);
        expect(filesUnder(blobDir).filter((f) => !/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f))).toEqual([]);
      });

      it('keeps the staged upload itself as the blob (linked into place, not read and copied again)', async () => {
        const bytes = pdf(3 * BLOB_CHUNK_BYTES + 5);
        const sha = sha256(bytes);
        let staged: { ino: number; nlink: number } | null = null;
        // The file part first; by the time the next part is asked for, the file is wholly staged.
        async function* fileThenFields(): AsyncGenerator<UploadPart> {
          yield { type: 'file', name: 'file', filename: 'linked.pdf', stream: streamOf(bytes), truncated: () => false };
          const [name] = readdirSync(stagingDir);
          const { ino, nlink } = statSync(join(stagingDir, name));
          staged = { ino, nlink };
          for (const [field, value] of Object.entries(FIELDS))
            yield { type: 'field', name: field, value, truncated: false };
        }
        const item = await uploads.upload(manager, fileThenFields());
        expect(item.files[0].sha256).toBe(sha);
        expect(staged).toEqual({ ino: expect.any(Number), nlink: 1 });
        const blob = statSync(pathOf(sha));
        expect({ ino: blob.ino, nlink: blob.nlink, mode: blob.mode & 0o777 }).toEqual({
          ino: staged!.ino, // the very file that was staged
          nlink: 1, // and the staging name is gone
          mode: 0o600,
        });
        expect(readFileSync(pathOf(sha)).equals(bytes)).toBe(true);
        expect(readdirSync(stagingDir)).toEqual([]);
      });

      it('never serves a blob whose file is missing, even with a complete temporary file beside it', async () => {
        const bytes = pdf(BLOB_CHUNK_BYTES + 7);
        const sha = sha256(bytes);
        const item = await uploads.upload(manager, parts([{ filename: 'gone.pdf', stream: streamOf(bytes) }]));
        rmSync(pathOf(sha));
        writeFileSync(`${pathOf(sha)}.${randomUUID()}.tmp`, bytes); // what a crash mid-write leaves, here even whole
        const { received, error } = await readUntilError((await queries.download(manager, item.id, 1)).stream);
        expect(error?.message).toMatch(/the file is missing/);
        expect(received).toBe(0);
      });

      it('never serves a file that is longer than its blob, though it starts with the right bytes', async () => {
        const bytes = pdf(2 * BLOB_CHUNK_BYTES);
        const item = await uploads.upload(manager, parts([{ filename: 'longer.pdf', stream: streamOf(bytes) }]));
        writeFileSync(pathOf(sha256(bytes)), Buffer.concat([bytes, Buffer.from('appended')]));
        const { received, error } = await readUntilError((await queries.download(manager, item.id, 1)).stream);
        expect(error?.message).toMatch(/do not match the hash/);
        expect(received).toBeLessThan(bytes.length);
      });

      it('a later upload of bytes whose file a rolled-back transaction left reuses that file', async () => {
        const data = { orphan: randomUUID() };
        const snapshot = {
          actor: 'system:test',
          title: 'orphan',
          controlIds: [ids['ENG-01']],
          data,
          source: 'collector:test',
          evidenceDate: new Date(),
          periodStart: '2026-11-16',
          periodEnd: '2026-11-22',
        };
        let sha = '';
        await expect(
          t.app.get(DataSource).transaction(async (m) => {
            sha = (await evidence.recordSnapshot(snapshot, m)).sha256;
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(existsSync(pathOf(sha))).toBe(true);
        expect(await count('blobs', 'sha256 = $1', [sha])).toBe(0);
        const before = await counts();
        const { id } = await evidence.recordSnapshot(snapshot);
        expect(await counts()).toMatchObject({ blobs: before.blobs + 1, blobFiles: before.blobFiles });
        expect(JSON.parse((await readAll((await queries.download(manager, id)).stream)).toString('utf8'))).toEqual(
          data,
        );
      });

      it('reads blobs stored in PostgreSQL before the switch, and links them rather than copying them', async () => {
        const bytes = pdf(BLOB_CHUNK_BYTES + 100);
        const sha = sha256(bytes);
        await t.app
          .get(DataSource)
          .transaction((m) => t.app.get(BlobRepository).storeBuffer(bytes, 'application/pdf', m));
        const before = await counts();
        const item = await uploads.upload(manager, parts([{ filename: 'old.pdf', stream: streamOf(bytes) }]));
        expect(await counts()).toMatchObject({
          blobs: before.blobs,
          chunks: before.chunks,
          blobFiles: before.blobFiles,
        });
        expect(existsSync(pathOf(sha))).toBe(false);
        expect((await db.query(`SELECT store FROM blobs WHERE sha256 = $1`, [sha])).rows).toEqual([
          { store: 'postgres' },
        ]);
        expect((await readAll((await queries.download(manager, item.id, 1)).stream)).equals(bytes)).toBe(true);
      });
    });
  }

  describe('immutability', () => {
    it.each([
      ['UPDATE evidence SET title = $1', ['edited']],
      ['DELETE FROM evidence', []],
      ['UPDATE evidence_controls SET control_id = control_id', []],
      ['DELETE FROM evidence_files', []],
      ['UPDATE blobs SET media_type = $1', ['text/plain']],
      ['DELETE FROM blob_chunks', []],
      ['TRUNCATE evidence_files', []],
      ['TRUNCATE blob_chunks', []],
    ])('%s is refused by a trigger', async (sql, params) => {
      await expect(db.query(sql, params)).rejects.toThrow(/is append-only: (UPDATE|DELETE|TRUNCATE) is not allowed/);
    });

    it('a correction is a new row: the old row is untouched and counts as superseded', async () => {
      const old = await uploads.upload(manager, parts([{ filename: 'v1.pdf', stream: streamOf(pdf(500)) }]));
      const oldRow = (await db.query(`SELECT * FROM evidence WHERE id = $1`, [old.id])).rows[0];
      const fix = await uploads.upload(
        manager,
        parts([{ filename: 'v2.pdf', stream: streamOf(pdf(500)) }], { ...FIELDS, supersedes: old.id }),
      );
      expect(fix.supersedes).toBe(old.id);
      expect((await db.query(`SELECT * FROM evidence WHERE id = $1`, [old.id])).rows[0]).toEqual(oldRow);
      expect((await queries.get(manager, old.id)).supersededBy).toBe(fix.id);
      await expect(
        uploads.upload(
          manager,
          parts([{ filename: 'v3.pdf', stream: streamOf(pdf(500)) }], { ...FIELDS, supersedes: old.id }),
        ),
      ).rejects.toMatchObject({ code: 'evidence.already_superseded' });
    });
  });

  describe('the interface the sweeps use', () => {
    const week = { periodStart: '2026-11-16', periodEnd: '2026-11-22' };

    it('recordSnapshot stores canonical JSON (RFC 8785) as a snapshot on the controls, audited once', async () => {
      const before = await counts();
      const { id, sha256: sha } = await evidence.recordSnapshot({
        actor: 'system:job:weekly-sweep',
        title: 'Access review',
        controlIds: [ids['ACC-02'], ids['ENG-01']],
        data: { z: 1, a: [true, 'ข'], m: { y: null, b: 2 } },
        source: 'collector:access-review',
        evidenceDate: new Date('2026-11-23T02:00:00Z'),
        ...week,
      });
      const view = await queries.get(manager, id);
      expect(view).toMatchObject({
        kind: 'snapshot',
        source: 'collector:access-review',
        submittedBy: null,
        controls: ['ACC-02', 'ENG-01'],
        evidenceDate: '2026-11-23T02:00:00.000Z',
        ...week,
      });
      expect(view.files).toEqual([
        expect.objectContaining({
          n: 1,
          filename: 'collector-access-review-2026-11-23.json',
          mediaType: 'application/json',
          sha256: sha,
        }),
      ]);
      const bytes = await readAll((await queries.download(manager, id)).stream);
      expect(bytes.toString('utf8')).toBe('{"a":[true,"ข"],"m":{"b":2,"y":null},"z":1}');
      expect(sha256(bytes)).toBe(sha);
      const entry = (
        await db.query(`SELECT actor, canonical FROM audit_log WHERE action = 'evidence.create' AND subject_id = $1`, [
          id,
        ])
      ).rows;
      expect(entry).toHaveLength(1);
      expect(entry[0].actor).toBe('system:job:weekly-sweep');
      expect(JSON.parse(entry[0].canonical).data).toEqual({
        kind: 'snapshot',
        source: 'collector:access-review',
        controls: ['ACC-02', 'ENG-01'],
        sha256: [sha],
        supersedes: null,
      });
      expect((await counts()).creates - before.creates).toBe(1);
    });

    it('recordSnapshot refuses unknown controls and bad sources, naming the field', async () => {
      await expect(
        evidence.recordSnapshot({
          actor: 'system:x',
          title: 'x',
          controlIds: [randomUUID()],
          data: {},
          source: 'collector:Bad Name',
          evidenceDate: new Date(),
          ...week,
        }),
      ).rejects.toMatchObject({
        errors: [
          { field: 'source', message: expect.any(String) },
          { field: 'controlIds', message: expect.stringMatching(/^no such live control/) },
        ],
      });
    });

    it("recordAttestation: an owner attests their own controls, never another department's", async () => {
      const { id } = await evidence.recordAttestation({
        actor: engineer,
        controlIds: [ids['ENG-02']],
        statement: 'No change to production access this week.',
        checklist: [{ question: 'Leavers removed?', answer: true }],
        ...week,
      });
      const view = await queries.get(manager, id);
      expect(view).toMatchObject({
        kind: 'attestation',
        source: 'attestation',
        submittedBy: engineer.id,
        title: 'Attestation: No change to production access this week.',
        controls: ['ENG-02'],
      });
      expect(view.checklist).toEqual([{ question: 'Leavers removed?', answer: true }]);
      const doc = JSON.parse((await readAll((await queries.download(manager, id)).stream)).toString('utf8'));
      expect(doc).toMatchObject({
        type: 'attestation',
        statement: 'No change to production access this week.',
        attestedBy: `user:${engineer.id}`,
        controls: ['ENG-02'],
      });
      await expect(
        evidence.recordAttestation({ actor: engineer, controlIds: [ids['CLS-01']], statement: 'ok', ...week }),
      ).rejects.toMatchObject({ code: 'evidence.not_your_control' });
    });

    it('newestByControl: the newest evidence date per control, superseded items left out, one query for many', async () => {
      const snap = (title: string, controlIds: string[], evidenceDate: string) =>
        evidence.recordSnapshot({
          actor: 'system:test',
          title,
          controlIds,
          data: { title, n: randomUUID() },
          source: 'collector:test',
          evidenceDate: new Date(evidenceDate),
          ...week,
        });
      const unused = randomUUID();
      const clsBefore = (await queries.newestByControl([ids['CLS-01']])).get(ids['CLS-01']);
      expect(clsBefore).toBeUndefined();
      await snap('older', [ids['CLS-01']], '2026-01-05T00:00:00Z');
      const newer = await snap('newer', [ids['CLS-01']], '2026-02-05T00:00:00Z');
      let newest = await queries.newestByControl([ids['CLS-01'], unused, 'not-a-uuid']);
      expect([...newest.entries()]).toEqual([[ids['CLS-01'], new Date('2026-02-05T00:00:00Z')]]);
      // Correct the newer one with an item dated earlier: the newer one no longer counts.
      await evidence.create(manager, {
        kind: 'link',
        title: 'corrected',
        url: 'https://wiki.example.com/review',
        controls: ['CLS-01'],
        evidenceDate: '2026-01-20',
        supersedes: newer.id,
        ...week,
      });
      newest = await queries.newestByControl([ids['CLS-01']]);
      expect(newest.get(ids['CLS-01'])).toEqual(new Date('2026-01-19T17:00:00Z'));
    });

    it('linkedTo: ids that exist, are not superseded and serve the control', async () => {
      const a = await evidence.recordSnapshot({
        actor: 'system:test',
        title: 'a',
        controlIds: [ids['ENG-02']],
        data: { a: randomUUID() },
        source: 'collector:test',
        evidenceDate: new Date(),
        ...week,
      });
      const b = await evidence.recordSnapshot({
        actor: 'system:test',
        title: 'b',
        controlIds: [ids['ENG-02']],
        data: { b: randomUUID() },
        source: 'collector:test',
        evidenceDate: new Date(),
        ...week,
      });
      const other = await evidence.recordSnapshot({
        actor: 'system:test',
        title: 'c',
        controlIds: [ids['CLS-01']],
        data: { c: randomUUID() },
        source: 'collector:test',
        evidenceDate: new Date(),
        ...week,
      });
      await evidence.create(manager, {
        kind: 'link',
        title: 'fix of b',
        url: 'https://x.example.com',
        controls: ['ENG-02'],
        evidenceDate: '2026-11-20',
        supersedes: b.id,
        ...week,
      });
      expect(await queries.linkedTo(ids['ENG-02'], [b.id, randomUUID(), a.id, other.id, 'junk', a.id])).toEqual([a.id]);
      expect(await queries.linkedTo('junk', [a.id])).toEqual([]);
    });
  });
});

// BLOB_DIR on another filesystem than DATA_DIR (here tmpfs): a staged upload cannot be linked into place,
// so it is copied (and hashed again on the way), with the same result.
const shm = '/dev/shm';
(existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev ? describe : describe.skip)(
  'BLOB_DIR on another filesystem',
  () => {
    let app: TestApp;
    let otherDir: string;
    beforeAll(async () => {
      otherDir = mkdtempSync(join(shm, 'attest-blobs-'));
      app = await startTestApp({ env: { BLOB_STORE: 'filesystem', BLOB_DIR: otherDir } });
    });
    afterAll(async () => {
      await app?.close();
      rmSync(otherDir, { recursive: true, force: true });
    });

    it('copies the staged upload into BLOB_DIR: the same bytes, the right name, nothing staged or temporary left', async () => {
      const bytes = pdf(2 * BLOB_CHUNK_BYTES + 3);
      const sha = sha256(bytes);
      const item = await app.app
        .get(EvidenceUploadService)
        .upload(manager, parts([{ filename: 'elsewhere.pdf', stream: streamOf(bytes) }]));
      expect(item.files[0]).toMatchObject({ sha256: sha, size: bytes.length });
      expect(filesUnder(otherDir)).toEqual([`${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`]);
      expect(readFileSync(join(otherDir, sha.slice(0, 2), sha.slice(2, 4), sha)).equals(bytes)).toBe(true);
      expect(readdirSync(app.app.get(UploadStaging).dir)).toEqual([]);
      const back = await readAll((await app.app.get(EvidenceQueriesService).download(manager, item.id, 1)).stream);
      expect(back.equals(bytes)).toBe(true);
    });
  },
);
