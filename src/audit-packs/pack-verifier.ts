// `attest pack verify` and GET /api/packs/:id/verify: checks a pack's ZIP on its own, with no database —
// the PDF's signature (valid and covering the whole file, by the enclosed certificate), the manifest's
// detached signature (by the enclosed certificate), and every file against the manifest (SHA-256, size,
// nothing missing, nothing extra). Files are streamed, so memory stays flat however large the pack is.
import { createHash, X509Certificate } from 'node:crypto';
import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { Entry, open as openZip, ZipFile } from 'yauzl';
import {
  CERTIFICATE_NAME,
  isSafeEntryName,
  MANIFEST_NAME,
  MANIFEST_SIG_NAME,
  parseManifest,
  PDF_NAME,
  type PackManifest,
} from './domain/pack-manifest';
import { detachedSignature, pdfSignature } from './signing/on-first-use';

export interface PackVerification {
  ok: boolean;
  /** Empty when the pack is intact; else the one problem verification stopped at. */
  problems: string[];
  /** The first bad file or signature, or null when the pack is intact. */
  firstProblem: string | null;
}

/**
 * What is read into memory, each capped (a crafted pack must not make the verifier allocate gigabytes:
 * a 1.1 MB pack whose PDF embedded one Flate bomb once took 2.26 GB). The PDF must be whole to check its
 * signature; every other file is streamed and hashed chunk by chunk, and no entry may inflate past the
 * size its ZIP header declares. A real pack's PDF and manifest are a small fraction of these caps.
 */
export const PACK_READ_LIMITS = {
  pdf: 128 * 1024 * 1024,
  manifest: 32 * 1024 * 1024,
  /** certificate.pem and manifest.json.sig. */
  small: 1024 * 1024,
  /** All the PDF's embedded files together, inflated (a pack embeds only the manifest). */
  embedded: 32 * 1024 * 1024,
} as const;

/** The first problem found: verification stops there (no further entry is read or inflated). */
class PackProblem extends Error {}

export async function verifyPack(zipPath: string): Promise<PackVerification> {
  const fail = (problem: string): never => {
    throw new PackProblem(problem);
  };
  let zip: ZipFile | null = null;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      openZip(
        zipPath,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
        (e, z) => (e ? reject(e) : resolve(z)),
      ),
    ).catch((e: Error) => fail(`${zipPath}: not a readable ZIP (${e.message})`));
    await checkPack(zip, fail);
    return { ok: true, problems: [], firstProblem: null };
  } catch (e) {
    if (!(e instanceof PackProblem)) throw e;
    return { ok: false, problems: [e.message], firstProblem: e.message };
  } finally {
    zip?.close();
  }
}

/**
 * One file of a pack's ZIP (`manifest.json` for the download), within `limit` bytes; throws naming the
 * problem when the ZIP or the entry cannot be read.
 */
export async function readPackEntry(zipPath: string, name: string, limit: number): Promise<Buffer> {
  const fail = (problem: string): never => {
    throw new Error(`${zipPath}: ${problem}`);
  };
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    openZip(
      zipPath,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
      (e, z) => (e ? reject(e) : resolve(z)),
    ),
  );
  try {
    return await read({ zip, entries: await entriesByName(zip, fail), fail }, name, limit);
  } finally {
    zip.close();
  }
}

/** The open ZIP, its entries by name, and how verification stops at a problem. */
interface OpenPack {
  zip: ZipFile;
  entries: Map<string, Entry>;
  fail: (problem: string) => never;
}

async function checkPack(zip: ZipFile, fail: (problem: string) => never): Promise<void> {
  const pack: OpenPack = { zip, entries: await entriesByName(zip, fail), fail };
  const certificate = await readCertificate(pack);
  const pdf = await checkPdf(pack, certificate.fingerprint);
  const manifest = await checkManifest(pack, pdf, certificate);
  await checkFiles(pack, manifest);
}

async function entriesByName(zip: ZipFile, fail: (problem: string) => never): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const all = await readEntries(zip).catch((e: Error) => fail(`not a readable ZIP (${e.message})`));
  for (const entry of all) {
    if (entry.fileName.endsWith('/')) continue; // directories
    if (!isSafeEntryName(entry.fileName)) fail(`${entry.fileName}: unsafe path in the ZIP`);
    if (entries.has(entry.fileName)) fail(`${entry.fileName}: appears twice in the ZIP`);
    entries.set(entry.fileName, entry);
  }
  return entries;
}

/** The whole entry `name`, within `limit` bytes. */
async function read({ zip, entries, fail }: OpenPack, name: string, limit: number): Promise<Buffer> {
  const entry = entries.get(name) ?? fail(`${name}: missing from the ZIP`);
  if (entry.uncompressedSize > limit)
    fail(`${name}: ${entry.uncompressedSize} bytes, more than the ${limit} bytes a pack's ${name} may have`);
  try {
    return await bufferOf(await openEntry(zip, entry), limit);
  } catch (e) {
    return fail(`${name}: unreadable (${(e as Error).message})`);
  }
}

async function readCertificate(pack: OpenPack): Promise<{ pem: Buffer; fingerprint: string }> {
  const pem = await read(pack, CERTIFICATE_NAME, PACK_READ_LIMITS.small);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (e) {
    return pack.fail(`${CERTIFICATE_NAME}: not a readable certificate (${(e as Error).message})`);
  }
  return { pem, fingerprint: createHash('sha256').update(certificate.raw).digest('hex') };
}

/** 1. The PDF: signed, the signature valid and covering the whole file, by the enclosed certificate. */
async function checkPdf(pack: OpenPack, fingerprint: string): Promise<Buffer> {
  const { fail } = pack;
  const pdf = await read(pack, PDF_NAME, PACK_READ_LIMITS.pdf);
  const sig = await pdfSignature().verifyPdfSignature(pdf);
  if (!sig.valid) fail(`${PDF_NAME}: signature is not valid (${sig.problem ?? 'unknown reason'})`);
  if (!sig.totalDocumentSigned)
    fail(`${PDF_NAME}: signature does not cover the whole document (bytes were added after signing)`);
  if (sig.signerFingerprintSha256 !== fingerprint)
    fail(
      `${PDF_NAME}: signed by certificate ${sig.signerFingerprintSha256}, not by ${CERTIFICATE_NAME} (${fingerprint})`,
    );
  return pdf;
}

/** 2. The manifest: its detached signature by the enclosed certificate, and the signer it names. */
async function checkManifest(
  pack: OpenPack,
  pdf: Buffer,
  certificate: { pem: Buffer; fingerprint: string },
): Promise<PackManifest> {
  const { fail } = pack;
  const manifestBytes = await read(pack, MANIFEST_NAME, PACK_READ_LIMITS.manifest);
  const signature = await read(pack, MANIFEST_SIG_NAME, PACK_READ_LIMITS.small);
  const check = await detachedSignature().verifyDetached(manifestBytes, signature, certificate.pem.toString('utf8'));
  if (!check.valid)
    fail(`${MANIFEST_SIG_NAME}: signature of ${MANIFEST_NAME} is not valid (${check.problem ?? 'unknown reason'})`);
  let manifest: PackManifest;
  try {
    manifest = parseManifest(manifestBytes);
  } catch (e) {
    return fail(`${MANIFEST_NAME}: ${(e as Error).message}`);
  }
  // The manifest embedded in the (signed) PDF must be the manifest.json beside it.
  let embedded: Buffer[];
  try {
    embedded = embeddedFiles(pdf, PACK_READ_LIMITS.embedded);
  } catch (e) {
    return fail(`${PDF_NAME}: ${(e as Error).message}`);
  }
  if (!embedded.some((f) => f.equals(manifestBytes)))
    fail(`${PDF_NAME}: the manifest embedded in the PDF differs from ${MANIFEST_NAME}`);
  if (manifest.signer.fingerprintSha256 !== certificate.fingerprint)
    fail(
      `${MANIFEST_NAME}: names signer ${manifest.signer.fingerprintSha256}, but ${CERTIFICATE_NAME} is ${certificate.fingerprint}`,
    );
  return manifest;
}

/** 3. Every listed file: there, the size and SHA-256 the manifest says; then anything not listed. */
async function checkFiles({ zip, entries, fail }: OpenPack, manifest: PackManifest): Promise<void> {
  const listed = new Set<string>([PDF_NAME, MANIFEST_NAME, MANIFEST_SIG_NAME]);
  for (const file of manifest.files) {
    if (listed.has(file.path)) fail(`${file.path}: listed twice in ${MANIFEST_NAME}`);
    listed.add(file.path);
    const entry = entries.get(file.path) ?? fail(`${file.path}: listed in ${MANIFEST_NAME} but missing from the ZIP`);
    if (entry.uncompressedSize !== file.size)
      fail(`${file.path}: size ${entry.uncompressedSize} bytes, the manifest says ${file.size}`);
    let sha256: string;
    try {
      // Streamed: yauzl stops the stream with an error as soon as it inflates past the declared size.
      sha256 = await sha256Of(await openEntry(zip, entry));
    } catch (e) {
      return fail(`${file.path}: unreadable (${(e as Error).message})`);
    }
    if (sha256 !== file.sha256) fail(`${file.path}: SHA-256 ${sha256} does not match the manifest (${file.sha256})`);
  }
  for (const name of entries.keys()) if (!listed.has(name)) fail(`${name}: in the ZIP but not in ${MANIFEST_NAME}`);
}

function readEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const out: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(out));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (e, s) => (e ? reject(e) : resolve(s))));
}

/** The whole entry, refused (and the stream destroyed) as soon as it passes `limit` bytes. */
async function bufferOf(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += (c as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new Error(`inflates past ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const c of stream) hash.update(c as Buffer);
  return hash.digest('hex');
}

/**
 * The embedded files of a PDF (the streams of `/Type /EmbeddedFile` objects, inflated when FlateDecode), as
 * pdfkit writes them: a direct `/Length` and at most one filter. Enough to compare the attached manifest.
 * Inflation is capped: when the streams together would pass `maxBytes`, this throws (and stops inflating).
 */
export function embeddedFiles(pdf: Buffer, maxBytes: number): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  const marker = Buffer.from('/Type /EmbeddedFile');
  for (let at = pdf.indexOf(marker); at >= 0; at = pdf.indexOf(marker, at + marker.length)) {
    const start = pdf.lastIndexOf('<<', at);
    const streamAt = pdf.indexOf('stream', at);
    if (start < 0 || streamAt < 0) continue;
    const dict = pdf.subarray(start, streamAt).toString('latin1');
    const length = /\/Length (\d+)(?!\s+\d+\s+R)/.exec(dict);
    if (!length) continue;
    let dataAt = streamAt + 'stream'.length;
    if (pdf[dataAt] === 0x0d) dataAt++;
    if (pdf[dataAt] === 0x0a) dataAt++;
    const raw = pdf.subarray(dataAt, dataAt + Number(length[1]));
    let file: Buffer;
    if (!/\/Filter \/FlateDecode/.test(dict)) file = Buffer.from(raw);
    else {
      try {
        // One byte over what is left: enough to know the cap is passed, never more allocated.
        file = inflateSync(raw, { maxOutputLength: maxBytes - total + 1 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(embeddedTooLarge(maxBytes));
        continue; // a stream that does not inflate is not a manifest
      }
    }
    total += file.length;
    if (total > maxBytes) throw new Error(embeddedTooLarge(maxBytes));
    out.push(file);
  }
  return out;
}

function embeddedTooLarge(maxBytes: number): string {
  return `its embedded files inflate to more than ${maxBytes} bytes; verification stopped there`;
}
