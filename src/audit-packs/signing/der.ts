// A minimal DER reader and writer: enough for CMS SignedData, ESS attributes and RFC 3161 messages.
// Written by hand (not node-forge's ASN.1 objects) so a verifier sees the exact bytes that were signed:
// the signed attributes are hashed as encoded, never re-encoded.

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
} as const;

/** Context-specific tag number n: constructed (`[n]` EXPLICIT or IMPLICIT of a constructed type) or primitive. */
export const context = (n: number, constructed = true): number => (constructed ? 0xa0 : 0x80) | n;

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

// ---- writing ----

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));

/** A DER SET OF: the encodings sorted as unsigned byte strings (X.690 11.6). */
export function setOf(items: Buffer[], tag: number = TAG.SET): Buffer {
  return tlv(tag, Buffer.concat([...items].sort(Buffer.compare)));
}

export const octetString = (bytes: Buffer): Buffer => tlv(TAG.OCTET_STRING, bytes);
export const nullValue = (): Buffer => Buffer.from([TAG.NULL, 0]);
export const booleanValue = (v: boolean): Buffer => Buffer.from([TAG.BOOLEAN, 1, v ? 0xff : 0]);

/** A non-negative INTEGER from a number, a bigint or big-endian bytes (a leading 0 added when the top bit is set). */
export function integer(value: number | bigint | Buffer): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    bytes = value.subarray(start);
  } else {
    let hex = BigInt(value).toString(16);
    if (hex.length % 2) hex = '0' + hex;
    bytes = Buffer.from(hex, 'hex');
  }
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const out: number[] = [];
  const push = (n: bigint) => {
    const groups: number[] = [Number(n & 0x7fn)];
    for (n >>= 7n; n > 0n; n >>= 7n) groups.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...groups);
  };
  push(parts[0] * 40n + parts[1]);
  for (const p of parts.slice(2)) push(p);
  return tlv(TAG.OID, Buffer.from(out));
}

/** GeneralizedTime (YYYYMMDDHHMMSSZ), UTC. */
export function generalizedTime(d: Date): Buffer {
  return tlv(
    TAG.GENERALIZED_TIME,
    Buffer.from(
      d
        .toISOString()
        .replace(/[-:T]/g, '')
        .replace(/\.\d+Z$/, 'Z'),
      'ascii',
    ),
  );
}

/** UTCTime for 1950–2049 (what RFC 5652 signing-time uses there), else GeneralizedTime. */
export function signingTimeValue(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) return generalizedTime(d);
  return tlv(
    TAG.UTC_TIME,
    Buffer.from(
      d
        .toISOString()
        .slice(2)
        .replace(/[-:T]/g, '')
        .replace(/\.\d+Z$/, 'Z'),
      'ascii',
    ),
  );
}

// ---- reading ----

export interface DerNode {
  tag: number;
  /** Offset of the tag byte in the buffer that was read. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  end: number;
  /** The whole encoding (tag, length and content), a view into the source. */
  raw: Buffer;
  content: Buffer;
}

/** Reads one TLV at `offset` (definite lengths only, as DER requires). */
export function readNode(buf: Buffer, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw new DerError(`truncated at byte ${offset}`);
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tags are not supported (byte ${offset})`);
  let pos = offset + 1;
  const first = buf[pos++];
  let length: number;
  if (first < 0x80) length = first;
  else {
    const count = first & 0x7f;
    if (count === 0) throw new DerError(`indefinite length at byte ${offset} (not DER)`);
    if (count > 4 || pos + count > buf.length) throw new DerError(`bad length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++];
  }
  const end = pos + length;
  if (end > buf.length) throw new DerError(`value at byte ${offset} runs past the end`);
  return {
    tag,
    start: offset,
    contentStart: pos,
    end,
    raw: buf.subarray(offset, end),
    content: buf.subarray(pos, end),
  };
}

/** The TLVs inside a constructed node. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let pos = 0; pos < node.content.length;) {
    const child = readNode(node.content, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag)
    throw new DerError(
      `${what}: expected tag 0x${tag.toString(16)}, found ${node ? '0x' + node.tag.toString(16) : 'nothing'}`,
    );
  return node;
}

export function readOid(node: DerNode): string {
  expectTag(node, TAG.OID, 'object identifier');
  const b = node.content;
  const parts: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < b.length; i++) {
    value = (value << 7n) | BigInt(b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      if (parts.length === 0) {
        const first = value < 80n ? value / 40n : 2n;
        parts.push(first, value - first * 40n);
      } else parts.push(value);
      value = 0n;
    }
  }
  return parts.join('.');
}

/** Reads a GeneralizedTime or UTCTime as a Date. */
export function readTime(node: DerNode): Date {
  const s = node.content.toString('ascii');
  let m: RegExpMatchArray | null;
  if (node.tag === TAG.UTC_TIME && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/))) {
    const yy = Number(m[1]);
    return new Date(
      Date.UTC(
        yy < 50 ? 2000 + yy : 1900 + yy,
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4]),
        Number(m[5]),
        Number(m[6]),
      ),
    );
  }
  if (node.tag === TAG.GENERALIZED_TIME && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/))) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return new Date(
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
    );
  }
  throw new DerError(`unreadable time "${s}"`);
}
