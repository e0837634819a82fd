// The filesystem blob store under kill -9: a child process writes large blobs through the built store and
// is killed with SIGKILL while a temporary file is being written, ten times over the same BLOB_DIR.
// Afterwards every file with a final name holds exactly the bytes its name says (none is torn), every
// other file is recognisably temporary, and the store never reads a temporary file.
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../src/config/config';
import type { BlobRepository } from '../../src/evidence/blob.repository';
import { FilesystemBlobStore } from '../../src/evidence/filesystem-blob.store';

const WRITER = join(__dirname, '..', 'fixtures', 'blob-crash-writer.js');
const RUNS = 10;
const BLOB_BYTES = 24 * 1024 * 1024;
const FINAL = /^[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})$/;
const TEMP = /^[0-9a-f]{2}\/[0-9a-f]{2}\/([0-9a-f]{64})\.[0-9a-f-]{36}\.tmp$/;

let blobDir: string;
beforeAll(() => {
  blobDir = mkdtempSync(join(tmpdir(), 'attest-blob-crash-'));
});
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));

const filesUnder = (dir: string, prefix = ''): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
      )
    : [];

async function waitFor(what: string, check: () => boolean, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (check()) return;
    if (child.exitCode !== null)
      throw new Error(`the writer exited with ${child.exitCode} while waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting: ${what}`);
}

async function readUntilError(stream: Readable): Promise<Error | null> {
  try {
    for await (const _ of stream) void _;
    return null;
  } catch (e) {
    return e as Error;
  }
}

it(`leaves no torn blob file after ${RUNS} kill -9s mid-write`, async () => {
  const stored = new Set<string>();
  for (let run = 0; run < RUNS; run++) {
    const tempsBefore = new Set(filesUnder(blobDir).filter((f) => TEMP.test(f)));
    const child = spawn(process.execPath, [WRITER], {
      env: { ...process.env, BLOB_DIR: blobDir, BLOB_BYTES: String(BLOB_BYTES) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    // Once a blob is stored, kill the writer as soon as its next temporary file appears.
    await waitFor(
      'a first blob',
      () => out.includes('stored '),
      child,
      () => out,
    );
    await waitFor(
      'a new temporary file',
      () => filesUnder(blobDir).some((f) => TEMP.test(f) && !tempsBefore.has(f)),
      child,
      () => out,
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    for (const m of out.matchAll(/^stored ([0-9a-f]{64})$/gm)) stored.add(m[1]);
  }

  const files = filesUnder(blobDir);
  const finals = files.filter((f) => FINAL.test(f));
  const temps = files.filter((f) => TEMP.test(f));
  expect(files.filter((f) => !FINAL.test(f) && !TEMP.test(f))).toEqual([]);
  for (const f of finals)
    expect(
      createHash('sha256')
        .update(readFileSync(join(blobDir, f)))
        .digest('hex'),
    ).toBe(FINAL.exec(f)![1]);
  // Every blob the writer reported stored is there, whole.
  expect(finals.map((f) => FINAL.exec(f)![1]).sort()).toEqual(expect.arrayContaining([...stored].sort()));
  expect(stored.size).toBeGreaterThanOrEqual(RUNS);

  // The store never reads a temporary file: a blob whose only file is temporary is missing.
  const store = new FilesystemBlobStore({ blobDir } as AppConfig, {} as BlobRepository);
  const unplaced = temps.map((f) => TEMP.exec(f)![1]).filter((sha) => !finals.some((f) => f.endsWith(sha)));
  expect(unplaced.length).toBeGreaterThan(0); // the kills did land mid-write (here every one does)
  for (const sha of unplaced) {
    const error = await readUntilError(store.open({ sha256: sha, size: BLOB_BYTES, chunkSize: 1024 * 1024 }));
    expect(error?.message).toMatch(/the file is missing/);
  }
}, 180_000);
