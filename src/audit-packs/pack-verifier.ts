// `attest pack verify` and GET /api/packs/:id/verify: checks a pack's ZIP on its own, with no database —
// the PDF's signature (valid and covering the whole file, by the enclosed certificate), the manifest's
// detached signature (by the enclosed certificate), and every file against the manifest (SHA-256, size,
// nothing missing, nothing extra). Files are streamed, so memory stays flat however large the pack is.
import { createHash, X509Certificate } from 'node:crypto';
import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { Entry, open as openZip, ZipFile } from 'yauzl';
import { CERTIFICATE_NAME, isSafeEntryName, MANIFEST_NAME, MANIFEST_SIG_NAME, parseManifest, PDF_NAME, type PackManifest } from './domain/pack-manifest';
import { verifyDetached } from './signing/detached-signature';
import { verifyPdfSignature } from './signing/pdf-signature';

export interface PackVerification {
  ok: boolean;
  problems: string[];
  /** The first bad file or signature, or null when the pack is intact. */
  firstProblem: string | null;
}

/** Largest manifest, signature, certificate or PDF read into memory (the PDF must be whole to check its signature). */
const MAX_IN_MEMORY = 512 * 1024 * 1024;

export async function verifyPack(zipPath: string): Promise<PackVerification> {
  const problems: string[] = [];
  const done = (): PackVerification => ({ ok: problems.length === 0, problems, firstProblem: problems[0] ?? null });
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) => openZip(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (e, z) => (e ? reject(e) : resolve(z))));
  } catch (e) {
    problems.push(`${zipPath}: not a readable ZIP (${(e as Error).message})`);
    return done();
  }
  try {
    const entries = new Map<string, Entry>();
    for (const entry of await readEntries(zip)) {
      if (entry.fileName.endsWith('/')) continue; // directories
      if (!isSafeEntryName(entry.fileName)) problems.push(`${entry.fileName}: unsafe path in the ZIP`);
      else if (entries.has(entry.fileName)) problems.push(`${entry.fileName}: appears twice in the ZIP`);
      else entries.set(entry.fileName, entry);
    }
    const read = async (name: string): Promise<Buffer | null> => {
      const entry = entries.get(name);
      if (!entry) {
        problems.push(`${name}: missing from the ZIP`);
        return null;
      }
      if (entry.uncompressedSize > MAX_IN_MEMORY) {
        problems.push(`${name}: too large to check (${entry.uncompressedSize} bytes)`);
        return null;
      }
      try {
        return await bufferOf(await openEntry(zip, entry));
      } catch (e) {
        problems.push(`${name}: unreadable (${(e as Error).message})`);
        return null;
      }
    };

    const certificatePem = await read(CERTIFICATE_NAME);
    let certificate: X509Certificate | null = null;
    if (certificatePem) {
      try {
        certificate = new X509Certificate(certificatePem);
      } catch (e) {
        problems.push(`${CERTIFICATE_NAME}: not a readable certificate (${(e as Error).message})`);
      }
    }
    const fingerprint = certificate ? createHash('sha256').update(certificate.raw).digest('hex') : null;

    // 1. The PDF: signed, the signature valid and covering the whole file, by the enclosed certificate.
    const pdf = await read(PDF_NAME);
    if (pdf) {
      const sig = verifyPdfSignature(pdf);
      if (!sig.valid) problems.push(`${PDF_NAME}: signature is not valid (${sig.problem ?? 'unknown reason'})`);
      else if (!sig.totalDocumentSigned) problems.push(`${PDF_NAME}: signature does not cover the whole document (bytes were added after signing)`);
      else if (fingerprint && sig.signerFingerprintSha256 !== fingerprint) problems.push(`${PDF_NAME}: signed by certificate ${sig.signerFingerprintSha256}, not by ${CERTIFICATE_NAME} (${fingerprint})`);
    }

    // 2. The manifest: its detached signature by the enclosed certificate, and the signer it names.
    const manifestBytes = await read(MANIFEST_NAME);
    const signature = await read(MANIFEST_SIG_NAME);
    let manifest: PackManifest | null = null;
    if (manifestBytes && signature && certificatePem && certificate) {
      const check = verifyDetached(manifestBytes, signature, certificatePem.toString('utf8'));
      if (!check.valid) problems.push(`${MANIFEST_SIG_NAME}: signature of ${MANIFEST_NAME} is not valid (${check.problem ?? 'unknown reason'})`);
    }
    if (manifestBytes) {
      try {
        manifest = parseManifest(manifestBytes);
      } catch (e) {
        problems.push(`${MANIFEST_NAME}: ${(e as Error).message}`);
      }
    }
    // The manifest embedded in the (signed) PDF must be the manifest.json beside it.
    if (pdf && manifestBytes && !embeddedFiles(pdf).some((f) => f.equals(manifestBytes))) {
      problems.push(`${PDF_NAME}: the manifest embedded in the PDF differs from ${MANIFEST_NAME}`);
    }
    if (!manifest) return done();
    if (fingerprint && manifest.signer.fingerprintSha256 !== fingerprint) problems.push(`${MANIFEST_NAME}: names signer ${manifest.signer.fingerprintSha256}, but ${CERTIFICATE_NAME} is ${fingerprint}`);

    // 3. Every listed file: there, the size and SHA-256 the manifest says; then anything not listed.
    const listed = new Set<string>([PDF_NAME, MANIFEST_NAME, MANIFEST_SIG_NAME]);
    for (const file of manifest.files) {
      if (listed.has(file.path)) {
        problems.push(`${file.path}: listed twice in ${MANIFEST_NAME}`);
        continue;
      }
      listed.add(file.path);
      const entry = entries.get(file.path);
      if (!entry) {
        problems.push(`${file.path}: listed in ${MANIFEST_NAME} but missing from the ZIP`);
        continue;
      }
      if (entry.uncompressedSize !== file.size) {
        problems.push(`${file.path}: size ${entry.uncompressedSize} bytes, the manifest says ${file.size}`);
        continue;
      }
      try {
        const sha256 = await sha256Of(await openEntry(zip, entry));
        if (sha256 !== file.sha256) problems.push(`${file.path}: SHA-256 ${sha256} does not match the manifest (${file.sha256})`);
      } catch (e) {
        problems.push(`${file.path}: unreadable (${(e as Error).message})`);
      }
    }
    for (const name of entries.keys()) if (!listed.has(name)) problems.push(`${name}: in the ZIP but not in ${MANIFEST_NAME}`);
    return done();
  } finally {
    zip.close();
  }
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

async function bufferOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
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
 */
export function embeddedFiles(pdf: Buffer): Buffer[] {
  const out: Buffer[] = [];
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
    try {
      out.push(/\/Filter \/FlateDecode/.test(dict) ? inflateSync(raw) : Buffer.from(raw));
    } catch {
      // A stream that does not inflate is not a manifest.
    }
  }
  return out;
}
