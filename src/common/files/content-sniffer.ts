// What an uploaded file really is, from its bytes (magic numbers), never from the client's content type.
// Pure: no Nest, no TypeORM. Fed chunk by chunk while the upload streams, so a file is never held whole.
import { TextDecoder } from 'node:util';

/** Media types the sniffer can recognise; EVIDENCE_ALLOWED_TYPES picks from these. */
export const SNIFFABLE_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'text/plain',
  'text/csv',
  'text/markdown',
  'text/html',
  'application/json',
  'application/xml',
  'application/vnd.cyclonedx+json',
  'application/vnd.cyclonedx+xml',
  'application/spdx+json',
] as const;
export type SniffableType = (typeof SNIFFABLE_TYPES)[number];

/** Allowed by default: documents, images, office files, text, data and SBOMs (not HTML: it renders scripts). */
export const DEFAULT_ALLOWED_TYPES: readonly SniffableType[] = SNIFFABLE_TYPES.filter((t) => t !== 'text/html');

export type Sniffed =
  | { ok: true; mediaType: SniffableType }
  | { ok: false; reason: 'executable' | 'unknown_binary' | 'empty'; detail: string };

/** How much of the start of a file the type is decided from (zip entry names of office files need some room). */
export const SNIFF_HEAD_BYTES = 64 * 1024;

const startsWith = (b: Buffer, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

/** Executable formats, refused whatever the allow-list says. */
const EXECUTABLES: { sig: number[]; at?: number; what: string }[] = [
  { sig: ascii('MZ'), what: 'a Windows/DOS executable (PE)' },
  { sig: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { sig: [0xfe, 0xed, 0xfa, 0xce], what: 'a Mach-O executable' },
  { sig: [0xfe, 0xed, 0xfa, 0xcf], what: 'a Mach-O executable' },
  { sig: [0xce, 0xfa, 0xed, 0xfe], what: 'a Mach-O executable' },
  { sig: [0xcf, 0xfa, 0xed, 0xfe], what: 'a Mach-O executable' },
  { sig: [0xca, 0xfe, 0xba, 0xbe], what: 'a Mach-O universal binary or Java class' },
  { sig: [0x00, 0x61, 0x73, 0x6d], what: 'a WebAssembly module' },
  { sig: ascii('dex\n'), what: 'an Android executable' },
  { sig: ascii('#!'), what: 'a script with an interpreter line' },
];

function binaryType(head: Buffer): SniffableType | null {
  if (startsWith(head, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return zipType(head);
  return null;
}

/** Office Open XML files are zips whose entry names say which application they belong to. */
function zipType(head: Buffer): SniffableType {
  let sawContentTypes = false;
  for (let at = 0; at + 30 <= head.length;) {
    if (!startsWith(head, [0x50, 0x4b, 0x03, 0x04], at)) break;
    const flags = head.readUInt16LE(at + 6);
    const compressed = head.readUInt32LE(at + 18);
    const nameLength = head.readUInt16LE(at + 26);
    const extraLength = head.readUInt16LE(at + 28);
    if (at + 30 + nameLength > head.length) break;
    const name = head.toString('latin1', at + 30, at + 30 + nameLength);
    if (name === '[Content_Types].xml') sawContentTypes = true;
    if (sawContentTypes || name.startsWith('_rels/') || name.startsWith('docProps/')) {
      if (name.startsWith('word/')) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
      if (name.startsWith('xl/')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      if (name.startsWith('ppt/')) return 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
    }
    // Sizes come after the data when bit 3 is set: the next header cannot be found from here.
    if (flags & 0x08) break;
    at += 30 + nameLength + extraLength + compressed;
  }
  return 'application/zip';
}

/**
 * Bytes that do not occur in text: NUL and the C0 controls other than BEL, BS, TAB, LF, VT, FF, CR and ESC
 * (what file(1) accepts in text).
 */
function isBinaryControl(byte: number): boolean {
  return byte < 0x07 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b);
}

function textType(head: string, filename: string): SniffableType {
  const s = head.replace(/^\uFEFF/, '').trimStart();
  const lower = s.slice(0, 1024).toLowerCase();
  if (s.startsWith('{') || s.startsWith('[')) {
    if (/"bomformat"\s*:\s*"cyclonedx"/i.test(s)) return 'application/vnd.cyclonedx+json';
    if (/"spdxVersion"\s*:/.test(s)) return 'application/spdx+json';
    return 'application/json';
  }
  if (/^<!doctype html|^<html[\s>]|^<head[\s>]|^<body[\s>]|^<script[\s>]|^<iframe[\s>]|^<svg[\s>]/.test(lower))
    return 'text/html';
  if (s.startsWith('<?xml') || /^<[a-z_][\w.:-]*[\s>/]/i.test(s)) {
    if (/<bom[\s>][^]*?xmlns\s*=\s*["']http:\/\/cyclonedx\.org\/schema\/bom/i.test(s.slice(0, 4096)))
      return 'application/vnd.cyclonedx+xml';
    if (/<svg[\s>]|<html[\s>]|<script[\s>]/i.test(s.slice(0, 4096))) return 'text/html';
    return 'application/xml';
  }
  // Plain text of any kind; the file name only chooses between text types, never turns bytes into text.
  const ext = filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === 'csv') return 'text/csv';
  if (ext === 'md' || ext === 'markdown') return 'text/markdown';
  return 'text/plain';
}

/**
 * Inspects a file as it streams: decides the type from the first SNIFF_HEAD_BYTES and, for text, checks
 * every later byte is still UTF-8 text (a text head followed by binary data is an unknown binary).
 */
export class ContentInspector {
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private decided: Sniffed | null = null;
  private decoder: TextDecoder | null = null;
  private total = 0;

  constructor(private readonly filename = '') {}

  /** The verdict so far: null until the head is complete (or the file ended). A refusal is final. */
  get early(): Sniffed | null {
    return this.decided && !this.decided.ok ? this.decided : null;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.decided && !this.decided.ok) return;
    if (this.decided) {
      if (this.decoder) this.checkText(chunk, false);
      return;
    }
    this.headChunks.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength >= SNIFF_HEAD_BYTES) this.decide(false);
  }

  /** The final verdict, once the whole file has been pushed. */
  finish(): Sniffed {
    if (!this.decided) this.decide(true);
    else if (this.decided.ok && this.decoder) this.checkText(Buffer.alloc(0), true);
    return this.decided!;
  }

  private decide(ended: boolean): void {
    const head = Buffer.concat(this.headChunks);
    this.headChunks.length = 0;
    if (this.total === 0) {
      this.decided = { ok: false, reason: 'empty', detail: 'the file is empty' };
      return;
    }
    const known = binaryType(head);
    if (known) {
      this.decided = { ok: true, mediaType: known };
      return;
    }
    const exe = EXECUTABLES.find((e) => startsWith(head, e.sig, e.at ?? 0));
    if (exe) {
      this.decided = { ok: false, reason: 'executable', detail: `the file is ${exe.what}` };
      return;
    }
    // Text: valid UTF-8 with no binary control bytes. The head may end inside a multi-byte character.
    this.decoder = new TextDecoder('utf-8', { fatal: true });
    let text: string;
    try {
      text = this.decoder.decode(head, { stream: !ended });
    } catch {
      this.decided = UNKNOWN;
      return;
    }
    if (head.some(isBinaryControl)) {
      this.decided = UNKNOWN;
      return;
    }
    this.decided = { ok: true, mediaType: textType(text, this.filename) };
  }

  private checkText(chunk: Buffer, ended: boolean): void {
    try {
      this.decoder!.decode(chunk, { stream: !ended });
      if (chunk.some(isBinaryControl)) this.decided = UNKNOWN;
    } catch {
      this.decided = UNKNOWN;
    }
  }
}

const UNKNOWN: Sniffed = {
  ok: false,
  reason: 'unknown_binary',
  detail: 'the content is not a recognised document, image, archive or text format',
};

/** Sniffs a whole buffer (small files, tests). */
export function sniff(bytes: Buffer, filename = ''): Sniffed {
  const inspector = new ContentInspector(filename);
  inspector.push(bytes);
  return inspector.finish();
}

/** The Content-Type header a stored media type is served with. */
export function contentTypeHeader(mediaType: string): string {
  return mediaType.startsWith('text/') ? `${mediaType}; charset=utf-8` : mediaType;
}

/** The usual file extension of a media type, for generated download names. */
export function extensionFor(mediaType: string): string {
  const map: Record<string, string> = {
    'application/pdf': 'pdf',
    'image/png': 'png',
    'image/jpeg': 'jpg',
    'image/gif': 'gif',
    'image/webp': 'webp',
    'application/zip': 'zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
    'text/plain': 'txt',
    'text/csv': 'csv',
    'text/markdown': 'md',
    'text/html': 'html',
    'application/json': 'json',
    'application/xml': 'xml',
    'application/vnd.cyclonedx+json': 'cdx.json',
    'application/vnd.cyclonedx+xml': 'cdx.xml',
    'application/spdx+json': 'spdx.json',
  };
  return map[mediaType] ?? 'bin';
}
