// What an audit pack's ZIP holds and how its manifest says so. Pure: no Nest, no TypeORM, no files.
//
// The chicken-and-egg: the PDF embeds manifest.json as an attachment, so the manifest cannot list the
// PDF's own hash (the PDF is made after the manifest). The manifest therefore lists every evidence file
// and certificate.pem (path, SHA-256, size) plus the scope, and names the PDF in `pdf` without a hash: the
// PDF's integrity is its own PAdES signature (total document signed, by the certificate in the ZIP),
// which `attest pack verify` and `pdfsig` check. manifest.json is covered by manifest.json.sig (detached
// CMS over its exact bytes); manifest.json and manifest.json.sig are not listed in themselves.

export const PACK_FORMAT = 'attest-audit-pack/1';
export const PDF_NAME = 'audit-pack.pdf';
export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_SIG_NAME = 'manifest.json.sig';
export const CERTIFICATE_NAME = 'certificate.pem';
export const EVIDENCE_DIR = 'evidence';

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface PackManifest {
  format: typeof PACK_FORMAT;
  generator: { name: string; version: string };
  createdAt: string;
  scope: { framework: string; from: string; to: string };
  signer: { fingerprintSha256: string; subject: string };
  /** Named, not hashed: the PDF embeds this manifest; its own PAdES signature protects it. */
  pdf: { path: string; integrity: string };
  /** Every other file of the ZIP except manifest.json and manifest.json.sig, sorted by path. */
  files: ManifestFile[];
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Longest file-name part kept (in characters) after the hash prefix. */
const MAX_NAME = 120;

/**
 * A safe single path segment for a ZIP entry: letters and digits of any script, `.`, `_` and `-` kept;
 * anything else (separators, `..`, control and bidi characters, spaces, quotes) becomes `_`, runs of `_`
 * collapse, no leading dot, at most `max` characters; `fallback` when nothing is left.
 */
export function safeSegment(name: string, fallback: string, max = MAX_NAME): string {
  let s = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}._-]+/gu, '_')
    .replace(/_+/g, '_');
  s = s.replace(/^[._]+/, '').replace(/_+$/, '');
  const chars = [...s];
  if (chars.length > max)
    s = chars
      .slice(chars.length - max)
      .join('')
      .replace(/^[._]+/, ''); // keep the extension
  return s === '' ? fallback : s;
}

/** Where an evidence file goes in the ZIP: evidence/<control>/<sha256>-<name>. */
export function evidencePath(controlKey: string, sha256: string, filename: string): string {
  return `${EVIDENCE_DIR}/${safeSegment(controlKey, 'control', 64)}/${sha256}-${safeSegment(filename, 'file')}`;
}

export function buildManifest(
  input: Omit<PackManifest, 'format' | 'pdf' | 'files'> & { files: ManifestFile[] },
): PackManifest {
  const seen = new Set<string>();
  const files: ManifestFile[] = [];
  for (const f of [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (seen.has(f.path)) continue;
    seen.add(f.path);
    files.push({ path: f.path, sha256: f.sha256, size: f.size });
  }
  return {
    format: PACK_FORMAT,
    generator: input.generator,
    createdAt: input.createdAt,
    scope: input.scope,
    signer: input.signer,
    pdf: {
      path: PDF_NAME,
      integrity:
        'not hashed here (the PDF embeds this manifest); verify its PAdES signature: total document signed by certificate.pem',
    },
    files,
  };
}

/** The manifest's bytes as written to the ZIP (and signed): two-space JSON with a final newline. */
export function manifestBytes(m: PackManifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}

/** Reads manifest.json; throws an Error saying what is wrong with it. */
export function parseManifest(bytes: Buffer): PackManifest {
  let m: unknown;
  try {
    m = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('is not JSON');
  }
  const o = m as Partial<PackManifest> | null;
  if (!o || typeof o !== 'object' || o.format !== PACK_FORMAT) throw new Error(`is not a ${PACK_FORMAT} manifest`);
  if (
    !o.scope ||
    typeof o.scope.framework !== 'string' ||
    typeof o.scope.from !== 'string' ||
    typeof o.scope.to !== 'string'
  )
    throw new Error('has no scope');
  if (!o.signer || typeof o.signer.fingerprintSha256 !== 'string') throw new Error('names no signer');
  if (!Array.isArray(o.files)) throw new Error('lists no files');
  for (const [i, f] of o.files.entries()) {
    if (
      !f ||
      typeof f.path !== 'string' ||
      !SHA256.test(String(f.sha256)) ||
      !Number.isSafeInteger(f.size) ||
      f.size < 0
    )
      throw new Error(`has a malformed entry at files[${i}]`);
  }
  return o as PackManifest;
}

/** Whether a ZIP entry name is one a pack may contain: relative, no `..`, no backslash, no empty segment. */
export function isSafeEntryName(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false;
  return name.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
