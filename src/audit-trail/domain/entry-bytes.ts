// A stored entry as the bytes the verification walk reads, and the byte-level comparisons the checks need,
// so that per entry nothing is decoded or encoded that the checks do not use. Pure.

/** The fields of an entry held as bytes, in this order (`seq` is a number of its own). */
export const ENTRY_BYTE_FIELDS = [
  'at',
  'actor',
  'action',
  'subjectType',
  'subjectId',
  'canonical',
  'prevHash',
  'hash',
] as const;
export type EntryByteField = (typeof ENTRY_BYTE_FIELDS)[number];
/** The index of each field in EntryBytes' `starts` and `ends`. */
export const ENTRY_FIELD = Object.fromEntries(ENTRY_BYTE_FIELDS.map((f, i) => [f, i])) as Record<
  EntryByteField,
  number
>;

/**
 * One stored entry as bytes: field ENTRY_BYTE_FIELDS[i] is `buf[starts[i], ends[i])`, UTF-8 text (`at` as the
 * ISO text `2026-01-02T03:04:05.678Z`, the hashes as hex), and starts[i] is -1 when it is NULL. The walk
 * reuses one such object (and its arrays) for every entry: a check must not keep it.
 */
export interface EntryBytes {
  seq: number;
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
}

/** A stored row as read back for verification. */
export interface StoredEntry {
  seq: number;
  /** A Date, or (as the verification walk reads it, without parsing) the ISO text `2026-01-02T03:04:05.678Z`. */
  at: Date | string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  canonical: string;
  prevHash: string;
  hash: string;
}

/** The same entry as bytes (for callers that hold it as text). */
export function entryBytes(e: StoredEntry): EntryBytes {
  const at = e.at instanceof Date && !Number.isNaN(e.at.getTime()) ? e.at.toISOString() : String(e.at);
  const texts = [at, e.actor, e.action, e.subjectType, e.subjectId, e.canonical, e.prevHash, e.hash];
  const starts = new Int32Array(texts.length);
  const ends = new Int32Array(texts.length);
  const parts: Buffer[] = [];
  let offset = 0;
  texts.forEach((text, i) => {
    if (text === null) {
      starts[i] = ends[i] = -1;
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    parts.push(bytes);
    starts[i] = offset;
    ends[i] = offset += bytes.length;
  });
  return { seq: e.seq, buf: Buffer.concat(parts), starts, ends };
}

/** The text of a field (null when NULL): only for what is reported or rarely compared. */
export function fieldText(e: EntryBytes, field: number): string | null {
  return e.starts[field] < 0 ? null : e.buf.toString('utf8', e.starts[field], e.ends[field]);
}

/** True when `text`, encoded as UTF-8, is exactly `buf[start, end)` (false for NULL, start -1). No allocation. */
export function utf8Equals(buf: Buffer, start: number, end: number, text: string): boolean {
  if (start < 0 || end - start < text.length) return false; // UTF-8 takes at least one byte per UTF-16 unit
  if (end - start === text.length) {
    // One byte per UTF-16 unit: equal only when every character is ASCII (the common case, checked simply).
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 || buf[start + i] !== c) return false;
    }
    return true;
  }
  let p = start;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (p >= end || buf[p++] !== c) return false;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate pair is one code point of 4 bytes; a lone surrogate has no UTF-8 form, so no bytes match it.
      const low = c <= 0xdbff && i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (low < 0xdc00 || low > 0xdfff) return false;
      c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
      i++;
      if (end - p < 4) return false;
      if (buf[p++] !== (0xf0 | (c >> 18)) || buf[p++] !== (0x80 | ((c >> 12) & 0x3f))) return false;
    } else if (c < 0x800) {
      if (end - p < 2 || buf[p++] !== (0xc0 | (c >> 6))) return false;
      if (buf[p++] !== (0x80 | (c & 0x3f))) return false;
      continue;
    } else {
      if (end - p < 3 || buf[p++] !== (0xe0 | (c >> 12))) return false;
    }
    if (buf[p++] !== (0x80 | ((c >> 6) & 0x3f)) || buf[p++] !== (0x80 | (c & 0x3f))) return false;
  }
  return p === end;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** True when `buf[start, end)` is exactly the lower-case hex of `digest` (its bytes as latin1 text). No allocation. */
export function isHexOf(buf: Buffer, start: number, end: number, digest: string): boolean {
  if (start < 0 || end - start !== digest.length * 2) return false;
  for (let i = 0, p = start; i < digest.length; i++, p += 2) {
    const d = digest.charCodeAt(i);
    if (buf[p] !== HEX_DIGITS[d >> 4] || buf[p + 1] !== HEX_DIGITS[d & 15]) return false;
  }
  return true;
}
