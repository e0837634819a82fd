// writeZip as the pack builder uses it: evidence streamed in and stored (method 0), small generated files
// deflated (method 8), each entry's CRC-32 right (Node's native zlib.crc32 stands in for yazl's JavaScript
// one: checked here against a table-driven CRC-32 written out in the test and by Info-ZIP's `unzip -t`), and
// the SHA-256 and size returned being the written file's.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { writeZip, type ZipSource } from './pack-zip';

/** CRC-32 (ISO-HDLC, as ZIP uses) the slow, obvious way: the reference the written entries are checked against. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function referenceCrc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface ReadEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  data: Buffer;
}

async function readZip(path: string): Promise<ReadEntry[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  const entries: ReadEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (e, stream) => {
        if (e) return reject(e);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.push({
            name: entry.fileName,
            method: entry.compressionMethod,
            crc32: entry.crc32,
            compressedSize: entry.compressedSize,
            data: Buffer.concat(chunks),
          });
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  return entries;
}

/** A source streamed in chunks of `chunk` bytes, as the blob store streams evidence. */
function streamed(path: string, bytes: Buffer, chunk = 65536): ZipSource {
  return {
    path,
    size: bytes.length,
    open: async () =>
      Readable.from(
        (function* () {
          for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
        })(),
      ),
  };
}

describe('writeZip', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'attest-pack-zip-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores streamed evidence (method 0) and deflates small generated files (method 8), with the right CRC-32s', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * 1024 * 1024 + 17)]);
    const image = randomBytes(200_001);
    const empty = Buffer.alloc(0);
    const manifest = Buffer.from(JSON.stringify({ files: Array.from({ length: 200 }, (_, i) => `evidence/${i}`) }));
    const signedPdf = randomBytes(50_000);
    const out = join(dir, 'pack.zip');
    const written = await writeZip(
      [
        { path: 'audit-pack.pdf', bytes: signedPdf, compress: false },
        streamed('evidence/CTL-001/a-report.pdf', pdf, 1 << 20),
        streamed('evidence/CTL-002/b-photo.jpg', image, 4096),
        streamed('evidence/CTL-002/c-empty.txt', empty),
        { path: 'manifest.json', bytes: manifest },
      ],
      out,
      { mtime: new Date('2026-07-02T02:30:00Z') },
    );

    const file = readFileSync(out);
    expect(written).toEqual({ sha256: createHash('sha256').update(file).digest('hex'), bytes: file.length });

    const entries = await readZip(out);
    expect(entries.map((e) => [e.name, e.method])).toEqual([
      ['audit-pack.pdf', 0],
      ['evidence/CTL-001/a-report.pdf', 0],
      ['evidence/CTL-002/b-photo.jpg', 0],
      ['evidence/CTL-002/c-empty.txt', 0],
      ['manifest.json', 8],
    ]);
    const expected = [signedPdf, pdf, image, empty, manifest];
    entries.forEach((e, i) => {
      expect(e.data.equals(expected[i])).toBe(true);
      expect(e.crc32).toBe(referenceCrc32(expected[i]));
    });
    // Stored means the bytes as they are: the compressed size is the size.
    for (const e of entries.filter((x) => x.method === 0)) expect(e.compressedSize).toBe(e.data.length);
    expect(entries[4].compressedSize).toBeLessThan(manifest.length);

    // Info-ZIP checks every entry's CRC-32 against its bytes.
    const unzip = spawnSync('unzip', ['-t', out], { encoding: 'utf8' });
    if (unzip.error) throw new Error(`unzip is not installed (apt-get install -y unzip): ${unzip.error.message}`);
    expect(unzip.stdout).toContain('No errors detected');
    expect(unzip.status).toBe(0);
  });

  it('fails the whole write, naming the entry, when a source stream fails', async () => {
    const out = join(dir, 'broken.zip');
    const failing: ZipSource = {
      path: 'evidence/CTL-003/d-changed.pdf',
      size: 10,
      open: async () =>
        new Readable({
          read() {
            this.destroy(new Error('the stored bytes do not match the hash'));
          },
        }),
    };
    await expect(writeZip([streamed('evidence/CTL-001/ok.pdf', randomBytes(1000)), failing], out)).rejects.toThrow(
      'evidence/CTL-003/d-changed.pdf: the stored bytes do not match the hash',
    );
  });
});
