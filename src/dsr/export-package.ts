// The export package a data subject receives (PDPA s. 30 access and copy, s. 31 portability): one ZIP
//   subject.json                    the request reference, right, receipt time and the identity as given
//   systems/<system>/<table>.json   { system, table, columns, rows }
//   systems/<system>/<table>.csv    the same rows as CSV (UTF-8 with BOM so spreadsheets read Thai text)
//   manifest.json                   every other file with its SHA-256 and size, the generator, the reference
// streamed through the key ring's encryptStream() into a sink (DsrRepository.exportSink: chunks in PostgreSQL,
// in the transaction that records the package, so a stored package is always complete and always
// encrypted, and every instance reads it). openExportPackage() streams it back decrypted (for the
// download); readExportPackage() unzips it in memory and checks it against its manifest (drills, tests).
import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import * as yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { APP_VERSION } from '../config/app-root';
import type { SystemExport } from './connectors/connector';
import type { KeyRing } from '../common/crypto/key-ring';

export const EXPORT_MANIFEST_FORMAT = 'attest-dsr-export/1';

export interface ExportSubject {
  /** The right exercised, e.g. access or portability. */
  right: string;
  receivedAt: Date;
  /** The subject's identity as given in the request (name, e-mail, phone, national id, …). */
  identity: Record<string, unknown>;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
  /** For systems/… files: which system and table they hold, and how many rows. */
  system?: string;
  table?: string;
  rows?: number;
}

export interface ExportManifest {
  format: typeof EXPORT_MANIFEST_FORMAT;
  generator: { name: string; version: string };
  reference: string;
  createdAt: string;
  files: ManifestFile[];
}

export interface WriteExportPackageInput {
  reference: string;
  subject: ExportSubject;
  exports: SystemExport[];
  keyRing: KeyRing;
  /** Where the encrypted package goes. It may hold part of it when this fails: discard it then. */
  out: Writable;
  /** Default: now. Also the ZIP entries' modification time. */
  createdAt?: Date;
}

export interface WrittenExportPackage {
  /** SHA-256 (hex) of the plaintext ZIP, as the subject will download it. */
  sha256: string;
  /** Size of the plaintext ZIP. */
  bytes: number;
  /** Size of the encrypted package as stored. */
  encryptedBytes: number;
  /** The key the package is encrypted with. */
  keyId: string;
  manifest: ExportManifest;
}

/** Builds the package and writes it encrypted to `out`, ending it. */
export async function writeExportPackage(input: WriteExportPackageInput): Promise<WrittenExportPackage> {
  const createdAt = input.createdAt ?? new Date();
  const files = packageFiles(input.reference, input.subject, input.exports);
  const manifest: ExportManifest = {
    format: EXPORT_MANIFEST_FORMAT,
    generator: { name: 'attest', version: APP_VERSION },
    reference: input.reference,
    createdAt: createdAt.toISOString(),
    files: files.map(({ content, ...meta }) => ({ ...meta, sha256: sha256(content), bytes: content.length })),
  };

  const zip = new ZipFile();
  const entry = { mtime: createdAt, mode: 0o100644, compress: true };
  for (const file of files) zip.addBuffer(file.content, file.path, entry);
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'), 'manifest.json', entry);
  zip.end();

  const plain = new Measure();
  const encrypted = new Measure();
  await pipeline(zip.outputStream as Readable, plain, input.keyRing.encryptStream(), encrypted, input.out);
  return {
    sha256: plain.digest(),
    bytes: plain.bytes,
    encryptedBytes: encrypted.bytes,
    keyId: input.keyRing.currentKeyId,
    manifest,
  };
}

/**
 * The plaintext ZIP of a stored package (`encrypted`: its bytes as stored), decrypted as it is read. Only authenticated bytes come out; a
 * changed file makes the stream error (KeyRingError) before the changed part, so a download must be
 * piped (pipeline / reply.send(stream)), which aborts the response on that error rather than ending it.
 */
export function openExportPackage(encrypted: Readable, keyRing: KeyRing): Readable {
  const decrypt = keyRing.decryptStream();
  void pipeline(encrypted, decrypt).catch(() => undefined); // errors surface on `decrypt`
  return decrypt;
}

export interface ReadExportPackage {
  manifest: ExportManifest;
  /** Every file in the ZIP but manifest.json, by path. */
  files: Map<string, Buffer>;
  sha256: string;
  bytes: number;
}

/** Something in a package does not agree with its manifest (or the ZIP is not one of ours). */
export class ExportPackageInvalidError extends Error {
  readonly code = 'dsr.export_package_invalid';
  constructor(problem: string) {
    super(`The export package is not intact: ${problem}`);
    this.name = 'ExportPackageInvalidError';
  }
}

/**
 * Decrypts and unzips a package in memory and checks every file against the manifest (hash, size, none
 * missing, none extra). For drills and tests: a subject's package is small. Throws KeyRingError when the
 * file cannot be decrypted, ExportPackageInvalidError when it does not agree with its manifest.
 */
export async function readExportPackage(encrypted: Readable, keyRing: KeyRing): Promise<ReadExportPackage> {
  const chunks: Buffer[] = [];
  for await (const chunk of openExportPackage(encrypted, keyRing)) chunks.push(chunk as Buffer);
  const zipBytes = Buffer.concat(chunks);
  const entries = await unzip(zipBytes);
  const manifestBytes = entries.get('manifest.json');
  if (!manifestBytes) throw new ExportPackageInvalidError('manifest.json is missing');
  let manifest: ExportManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as ExportManifest;
  } catch {
    throw new ExportPackageInvalidError('manifest.json is not JSON');
  }
  if (manifest?.format !== EXPORT_MANIFEST_FORMAT || !Array.isArray(manifest.files))
    throw new ExportPackageInvalidError(`manifest.json is not ${EXPORT_MANIFEST_FORMAT}`);
  entries.delete('manifest.json');
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const content = entries.get(f.path);
    if (!content) throw new ExportPackageInvalidError(`${f.path} is listed in the manifest but not in the package`);
    if (content.length !== f.bytes)
      throw new ExportPackageInvalidError(`${f.path} has ${content.length} bytes, the manifest says ${f.bytes}`);
    if (sha256(content) !== f.sha256)
      throw new ExportPackageInvalidError(`${f.path} does not match its SHA-256 in the manifest`);
  }
  for (const path of entries.keys())
    if (!listed.has(path)) throw new ExportPackageInvalidError(`${path} is not listed in the manifest`);
  return { manifest, files: entries, sha256: sha256(zipBytes), bytes: zipBytes.length };
}

// ---- contents -------------------------------------------------------------------------------------

interface PackageFile {
  path: string;
  content: Buffer;
  system?: string;
  table?: string;
  rows?: number;
}

function packageFiles(reference: string, subject: ExportSubject, exports: SystemExport[]): PackageFile[] {
  const files: PackageFile[] = [
    {
      path: 'subject.json',
      content: json({
        reference,
        right: subject.right,
        receivedAt: subject.receivedAt.toISOString(),
        identity: plainValue(subject.identity),
      }),
    },
  ];
  const used = new Set<string>(['subject.json', 'manifest.json']);
  for (const system of exports) {
    for (const table of system.tables) {
      const base = uniquePath(`systems/${safeSegment(system.system)}/${safeSegment(table.table)}`, used);
      const columns = table.columns.length > 0 ? table.columns : columnsOf(table.rows);
      const rows = table.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)])));
      const meta = { system: system.system, table: table.table, rows: table.rows.length };
      files.push({
        path: `${base}.json`,
        content: json({ system: system.system, table: table.table, columns, rows }),
        ...meta,
      });
      files.push({ path: `${base}.csv`, content: Buffer.from(tableCsv(columns, table.rows), 'utf8'), ...meta });
    }
  }
  return files;
}

/** Rows as CSV: one header row of column names, then one line per row. */
export function tableCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const records = [columns.map(guardCell), ...rows.map((row) => columns.map((c) => csvCell(row[c])))];
  return stringify(records, { bom: true, record_delimiter: 'windows' });
}

/**
 * One cell as text. Text that a spreadsheet would run as a formula (starting with = + - @ tab or CR) is
 * prefixed with ', as the catalog and risk CSVs do; numbers are written as numbers (they cannot hold one).
 */
export function csvCell(value: unknown): string {
  const v = plainValue(value);
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return guardCell(v);
  return guardCell(JSON.stringify(v));
}

function guardCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Database values as JSON can hold them: dates as ISO text, bytes as base64, big integers as text. */
function plainValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** A name usable as one path segment in any unzip tool: no separators, dot-dot, control characters or odd symbols. */
function safeSegment(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^\./, '_')
    .slice(0, 100);
  return cleaned === '' ? '_' : cleaned;
}

function uniquePath(base: string, used: Set<string>): string {
  let path = base;
  for (let n = 2; used.has(`${path}.json`.toLowerCase()); n++) path = `${base}-${n}`;
  used.add(`${path}.json`.toLowerCase());
  return path;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Passes bytes through, counting and hashing them. */
class Measure extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function unzip(zipBytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zipBytes, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip)
        return reject(new ExportPackageInvalidError(`not a readable ZIP (${err?.message ?? 'no entries'})`));
      const files = new Map<string, Buffer>();
      zip.on('error', (e: Error) => reject(new ExportPackageInvalidError(`not a readable ZIP (${e.message})`)));
      zip.on('end', () => resolve(files));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (files.has(entry.fileName)) return reject(new ExportPackageInvalidError(`${entry.fileName} occurs twice`));
        zip.openReadStream(entry, (openErr, stream) => {
          if (openErr)
            return reject(new ExportPackageInvalidError(`${entry.fileName} cannot be read (${openErr.message})`));
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => parts.push(c));
          stream.on('error', (e) =>
            reject(new ExportPackageInvalidError(`${entry.fileName} cannot be read (${e.message})`)),
          );
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(parts));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
