// PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`), read chunk by chunk as a copy stream
// hands it over: a 19-byte header (signature, flags, extension length, extension), then per tuple an int16
// field count and per field an int32 length (-1 = NULL) followed by that many bytes, then an int16 -1.
// https://www.postgresql.org/docs/current/sql-copy.html#SQL-COPY-BINARY-FORMAT

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
/** Flags bit 16: an OID field precedes each tuple's fields (COPY … WITH OIDS, gone since PostgreSQL 12). */
const HAS_OIDS = 1 << 16;

export class BinaryCopyError extends Error {
  constructor(message: string) {
    super(`binary COPY data: ${message}`);
    this.name = 'BinaryCopyError';
  }
}

/**
 * Calls `onTuple` for every tuple of a binary COPY stream, with its fields as byte ranges of one buffer (no
 * copy, no decoding): field i is `buf[starts[i], ends[i])`, and starts[i] is -1 when it is NULL. `starts` and
 * `ends` are reused for every tuple. Only a tuple that spans chunks is copied, once it is whole (so a tuple
 * of any size is joined once, not once per chunk). Once `onTuple` returns false the rest is ignored.
 */
export class BinaryCopyReader {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private headerRead = false;
  private trailerRead = false;
  private stopped = false;
  /** The start of a tuple (or the header) not yet whole, and how many bytes from its start it needs at least. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private needed = 0;

  constructor(
    private readonly fieldCount: number,
    private readonly onTuple: (buf: Buffer) => boolean,
  ) {
    this.starts = new Int32Array(fieldCount);
    this.ends = new Int32Array(fieldCount);
  }

  /** True while the reader wants more data: false once `onTuple` returned false. */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed) return true;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let pos = 0;
    while (pos < buf.length) {
      if (this.trailerRead) throw new BinaryCopyError('bytes after the end marker');
      const end = this.headerRead ? this.tuple(buf, pos) : this.header(buf, pos);
      if (end < 0) {
        this.pending = [buf.subarray(pos)];
        this.pendingBytes = buf.length - pos;
        this.needed = -end;
        return true;
      }
      pos = end;
      if (this.stopped) return false;
    }
    return true;
  }

  /** Call when the stream has ended: throws unless it ended with its end marker (or the reader stopped). */
  end(): void {
    if (!this.stopped && !this.trailerRead) throw new BinaryCopyError('the stream ended before its end marker');
  }

  /** The end of the header at `pos`, or minus the bytes from `pos` it needs when it is not whole yet. */
  private header(buf: Buffer, pos: number): number {
    if (buf.length - pos < HEADER_BYTES) return -HEADER_BYTES;
    if (!buf.subarray(pos, pos + SIGNATURE.length).equals(SIGNATURE)) throw new BinaryCopyError('no PGCOPY signature');
    if (buf.readInt32BE(pos + SIGNATURE.length) & HAS_OIDS) throw new BinaryCopyError('OIDs are not supported');
    const extension = buf.readInt32BE(pos + SIGNATURE.length + 4);
    if (extension < 0) throw new BinaryCopyError('negative header extension length');
    if (buf.length - pos < HEADER_BYTES + extension) return -(HEADER_BYTES + extension);
    this.headerRead = true;
    return pos + HEADER_BYTES + extension;
  }

  /** The end of the tuple at `pos` (after handing it over), or minus the bytes from `pos` it needs at least. */
  private tuple(buf: Buffer, pos: number): number {
    if (buf.length - pos < 2) return -2;
    const count = buf.readInt16BE(pos);
    if (count === -1) {
      this.trailerRead = true;
      return pos + 2;
    }
    if (count !== this.fieldCount) throw new BinaryCopyError(`a tuple of ${count} fields, expected ${this.fieldCount}`);
    let p = pos + 2;
    for (let i = 0; i < count; i++) {
      if (buf.length - p < 4) return -(p - pos + 4);
      const length = buf.readInt32BE(p);
      p += 4;
      if (length === -1) {
        this.starts[i] = this.ends[i] = -1;
        continue;
      }
      if (length < 0) throw new BinaryCopyError(`field length ${length}`);
      if (buf.length - p < length) return -(p - pos + length);
      this.starts[i] = p;
      this.ends[i] = p += length;
    }
    if (!this.onTuple(buf)) this.stopped = true;
    return p;
  }
}
