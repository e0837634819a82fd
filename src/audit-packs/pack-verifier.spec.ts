// The verifier against crafted packs: entries whose ZIP headers declare too much, entries whose headers
// lie about their size, and a PDF whose embedded stream is a Flate bomb. Each is refused with the cap's
// message, at the first problem, without allocating what the bomb would inflate to.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { embeddedFiles, PACK_READ_LIMITS, verifyPack } from './pack-verifier';

const MB = 1024 * 1024;
let dir: string;
let certificatePem: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'attest-verify-'));
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=test',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  certificatePem = readFileSync(join(dir, 'cert.pem'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CraftedEntry {
  name: string;
  /** What the entry holds when inflated. */
  data: Buffer;
  /** The uncompressed size its headers declare (default: the truth). */
  declaredSize?: number;
}

/** A ZIP written byte by byte (deflated entries), so headers can declare sizes the data does not have. */
function craftZip(entries: CraftedEntry[]): Buffer {
  const crc32 = (zlib as unknown as { crc32(b: Buffer): number }).crc32;
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const deflated = zlib.deflateRawSync(e.data, { level: 9 });
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(deflated.length, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    central.push(header, name);
    offset += local.length + name.length + deflated.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

async function verifyCrafted(name: string, entries: CraftedEntry[]) {
  const path = join(dir, name);
  writeFileSync(path, craftZip(entries));
  global.gc?.();
  const before = process.memoryUsage().rss;
  const started = Date.now();
  const result = await verifyPack(path);
  return { result, grewMb: (process.memoryUsage().rss - before) / MB, ms: Date.now() - started };
}

describe('verifyPack on crafted packs', () => {
  it('refuses a PDF entry whose header declares more than the cap, without inflating it', async () => {
    const size = PACK_READ_LIMITS.pdf + MB;
    const { result, grewMb } = await verifyCrafted('declared.zip', [
      { name: 'certificate.pem', data: certificatePem },
      { name: 'audit-pack.pdf', data: Buffer.alloc(size) },
    ]);
    expect(result).toEqual({
      ok: false,
      problems: [
        `audit-pack.pdf: ${size} bytes, more than the ${PACK_READ_LIMITS.pdf} bytes a pack's audit-pack.pdf may have`,
      ],
      firstProblem: expect.any(String),
    });
    expect(grewMb).toBeLessThan(64);
  });

  it('stops an entry whose header lies about its size as soon as it inflates past the declared size', async () => {
    const { result, grewMb } = await verifyCrafted('lying.zip', [
      { name: 'certificate.pem', data: certificatePem },
      { name: 'audit-pack.pdf', data: Buffer.alloc(100 * MB), declaredSize: 1000 },
    ]);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.stringMatching(/^audit-pack\.pdf: unreadable \(.*too many bytes/)]);
    expect(grewMb).toBeLessThan(64);
  });

  it('stops at the first problem, and a ZIP whose entry names escape it is a problem, not a crash', async () => {
    const { result } = await verifyCrafted('escape.zip', [
      { name: 'audit-pack.pdf', data: Buffer.from('%PDF-1.7\n') },
      { name: 'evidence/../../etc/passwd', data: Buffer.from('x') },
    ]);
    expect(result).toEqual({
      ok: false,
      problems: ['not a readable ZIP (invalid relative path: evidence/../../etc/passwd)'],
      firstProblem: 'not a readable ZIP (invalid relative path: evidence/../../etc/passwd)',
    });
    const { result: noCert } = await verifyCrafted('nocert.zip', [
      { name: 'audit-pack.pdf', data: Buffer.from('%PDF-1.7\n') },
      { name: 'manifest.json', data: Buffer.from('{') },
    ]);
    expect(noCert.problems).toEqual(['certificate.pem: missing from the ZIP']);
  });
});

describe('embeddedFiles', () => {
  const stream = (data: Buffer, flate = true) => {
    const body = flate ? zlib.deflateSync(data) : data;
    return Buffer.concat([
      Buffer.from(
        `1 0 obj\n<< /Type /EmbeddedFile /Length ${body.length}${flate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`,
      ),
      body,
      Buffer.from('\nendstream\nendobj\n'),
    ]);
  };

  it('inflates the embedded files it finds', () => {
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      stream(Buffer.from('{"manifest":1}')),
      stream(Buffer.from('plain'), false),
    ]);
    expect(embeddedFiles(pdf, MB).map(String)).toEqual(['{"manifest":1}', 'plain']);
  });

  it('refuses a Flate bomb once it inflates past the cap, allocating no more than the cap', () => {
    const bomb = Buffer.concat([Buffer.from('%PDF-1.7\n'), stream(Buffer.alloc(256 * MB))]);
    expect(bomb.length).toBeLessThan(MB);
    global.gc?.();
    const before = process.memoryUsage().rss;
    expect(() => embeddedFiles(bomb, 8 * MB)).toThrow(
      `its embedded files inflate to more than ${8 * MB} bytes; verification stopped there`,
    );
    expect((process.memoryUsage().rss - before) / MB).toBeLessThan(64);
  });

  it('caps the embedded files together, not only each one', () => {
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      ...Array.from({ length: 5 }, () => stream(Buffer.alloc(3 * MB))),
    ]);
    expect(() => embeddedFiles(pdf, 8 * MB)).toThrow(/inflate to more than/);
  });
});
