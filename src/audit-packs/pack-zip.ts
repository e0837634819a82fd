// Writes a pack's ZIP to a file as a stream: entries are opened one at a time when yazl reaches them
// (addReadStreamLazy), bytes go through a SHA-256 and a counter on their way to disk, and nothing holds a
// whole evidence file in memory. Evidence is stored uncompressed (it is mostly PDFs and images already
// compressed; deflating gigabytes would cost minutes for little); small generated files are deflated.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { ZipFile } from 'yazl';

/**
 * yazl takes each entry's CRC-32 from buffer-crc32, a JavaScript loop: about 70 MB/s on the project's
 * 2-core machine, most of a 2 GB pack's zipping time. Node's zlib.crc32 (native, Node 20.15 and later)
 * gives the same values (pack-zip.spec.ts checks them) about fifteen times faster, so yazl's own copy of
 * buffer-crc32 is pointed at it: yazl calls `unsigned` on that module's exports at each chunk. Nothing
 * else in the server uses buffer-crc32. Left as it is if either is not there.
 */
function useNativeCrc32(): void {
  let bufferCrc32: { unsigned?: unknown };
  try {
    bufferCrc32 = createRequire(require.resolve('yazl'))('buffer-crc32') as { unsigned?: unknown };
  } catch {
    return; // yazl keeps its own CRC-32
  }
  if (typeof crc32 !== 'function' || typeof bufferCrc32.unsigned !== 'function') return;
  bufferCrc32.unsigned = (data: Buffer | string, previous?: number | Buffer): number =>
    crc32(data, Buffer.isBuffer(previous) ? previous.readUInt32BE(0) : (previous ?? 0) >>> 0);
}
useNativeCrc32();

export type ZipSource =
  { path: string; bytes: Buffer; compress?: boolean } | { path: string; size: number; open: () => Promise<Readable> };

export interface WrittenZip {
  sha256: string;
  bytes: number;
}

/**
 * Writes `entries` in order as a ZIP at `outPath` (created or truncated), fsynced; returns its SHA-256 and
 * size. `onProgress` gets the bytes written so far (often: call it cheaply). A source stream that fails (an
 * evidence blob whose bytes no longer match its hash) fails the whole write.
 */
export async function writeZip(
  entries: ZipSource[],
  outPath: string,
  options: { onProgress?: (written: number) => void; signal?: AbortSignal; mtime?: Date } = {},
): Promise<WrittenZip> {
  const { onProgress, signal, mtime = new Date() } = options;
  const zip = new ZipFile();
  const hash = createHash('sha256');
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      written += chunk.length;
      onProgress?.(written);
      done(null, chunk);
    },
  });
  const output = zip.outputStream as unknown as Readable;
  // yazl neither forwards a source stream's error nor its own to outputStream: fail the pipeline with it.
  let current: Readable | null = null;
  const fail = (e: unknown) => {
    current?.destroy();
    output.destroy(e instanceof Error ? e : new Error(String(e)));
  };
  zip.on('error', fail);
  signal?.addEventListener('abort', () => current?.destroy(), { once: true });
  for (const entry of entries) {
    if ('bytes' in entry) {
      zip.addBuffer(entry.bytes, entry.path, { mtime, compress: entry.compress ?? true });
      continue;
    }
    zip.addReadStreamLazy(entry.path, { mtime, compress: false, size: entry.size }, (cb) => {
      entry.open().then(
        (stream) => {
          current = stream;
          stream.once('error', (e) => fail(new Error(`${entry.path}: ${e.message}`)));
          cb(null, stream);
        },
        (e: Error) => fail(new Error(`${entry.path}: ${e.message}`)),
      );
    });
  }
  zip.end();
  await pipeline(output, counter, createWriteStream(outPath, { mode: 0o600 }), { signal });
  const fh = await open(outPath, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), bytes: written };
}
