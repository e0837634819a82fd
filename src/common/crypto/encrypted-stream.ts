// The stream format of the key ring (encryptStream() and decryptStream() in key-ring.ts), for files such as
// export packages: a header, then the plaintext in 64 KiB segments, each sealed with its own GCM tag (the
// STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, as in age and Tink). GCM hands out
// plaintext before it has checked the tag; with one tag at the end of a large file a reader would see forged
// bytes before the failure. Per-segment tags let `decryptStream()` pass on only bytes that are already
// authenticated, in bounded memory, with no plaintext temp file: a tampered, reordered, truncated or extended
// file makes the stream error before any byte of the bad segment is emitted. What a consumer got before that
// error is an authentic prefix, not the whole file: consumers must treat the stream's error as failure
// (pipeline() does) and, for a download, abort the response (the client sees a broken transfer, never a
// complete-looking forged file).
//
//   header  = "ATDSRENC" | version 0x01 | keyId length (1 byte) | keyId (ASCII) | segment size (uint32 BE)
//             | nonce prefix (7 random bytes)
//   segment = GCM(key, nonce = prefix | counter (uint32 BE) | last flag (0x00 / 0x01), aad = header) → ct | tag
//   Every segment but the last holds exactly `segment size` plaintext bytes; the last holds 0..size and
//   carries the last flag, so dropping trailing segments or appending some fails authentication.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { KeyRingError } from './key-ring.errors';
import { ALGORITHM, IV_BYTES, KEY_ID, TAG_BYTES } from './ring-keys';

const STREAM_MAGIC = Buffer.from('ATDSRENC', 'ascii');
const STREAM_VERSION = 1;
const NONCE_PREFIX_BYTES = 7;
/** Plaintext bytes per segment of the stream format. */
export const STREAM_SEGMENT_BYTES = 64 * 1024;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
const MAX_SEGMENTS = 2 ** 32;

function streamHeader(keyId: string, segmentBytes: number, prefix: Buffer): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(segmentBytes);
  return Buffer.concat([STREAM_MAGIC, Buffer.from([STREAM_VERSION, id.length]), id, size, prefix]);
}

function segmentNonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(IV_BYTES);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(counter, NONCE_PREFIX_BYTES);
  nonce[IV_BYTES - 1] = last ? 1 : 0;
  return nonce;
}

export class EncryptStream extends Transform {
  private readonly header: Buffer;
  private readonly prefix = randomBytes(NONCE_PREFIX_BYTES);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private counter = 0;

  constructor(
    keyId: string,
    private readonly key: Buffer,
    private readonly segmentBytes: number,
  ) {
    super();
    if (!Number.isInteger(segmentBytes) || segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES)
      throw new RangeError(`segment size must be 1..${MAX_SEGMENT_BYTES}`);
    this.header = streamHeader(keyId, segmentBytes, this.prefix);
    this.push(this.header);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    try {
      // Strictly more than one segment buffered: the segment is known not to be the last.
      if (this.pendingBytes > this.segmentBytes) {
        let all = Buffer.concat(this.pending);
        while (all.length > this.segmentBytes) {
          this.push(this.seal(all.subarray(0, this.segmentBytes), false));
          all = all.subarray(this.segmentBytes);
        }
        this.pending = [all];
        this.pendingBytes = all.length;
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.push(this.seal(Buffer.concat(this.pending), true));
      this.pending = [];
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private seal(plain: Buffer, last: boolean): Buffer {
    if (this.counter >= MAX_SEGMENTS) throw new RangeError('stream too long for one nonce prefix');
    const cipher = createCipheriv(ALGORITHM, this.key, segmentNonce(this.prefix, this.counter++, last));
    cipher.setAAD(this.header);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}

export class DecryptStream extends Transform {
  private header: Buffer | null = null;
  private key: Buffer | null = null;
  private prefix: Buffer | null = null;
  private segmentBytes = 0;
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;

  constructor(private readonly keyFor: (id: string) => Buffer) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      if (!this.header && !this.readHeader()) return done();
      const sealed = this.segmentBytes + TAG_BYTES;
      // Only a segment followed by more bytes is certainly not the last one.
      while (this.pending.length > sealed) {
        this.push(this.open(this.pending.subarray(0, sealed), false));
        this.pending = this.pending.subarray(sealed);
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (!this.header)
        throw new KeyRingError('crypto.ciphertext_malformed', 'not an encrypted file: the header is missing or cut');
      if (this.pending.length < TAG_BYTES)
        throw new KeyRingError('crypto.integrity_failed', 'the encrypted file is truncated');
      this.push(this.open(this.pending, true));
      this.pending = Buffer.alloc(0);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  /** Reads the header once enough bytes are there; false while it is still incomplete. */
  private readHeader(): boolean {
    const p = this.pending;
    const fixed = STREAM_MAGIC.length + 2;
    if (p.length >= STREAM_MAGIC.length && !p.subarray(0, STREAM_MAGIC.length).equals(STREAM_MAGIC)) {
      throw new KeyRingError('crypto.ciphertext_malformed', 'not an encrypted file (wrong magic)');
    }
    if (p.length < fixed) return false;
    if (p[STREAM_MAGIC.length] !== STREAM_VERSION)
      throw new KeyRingError(
        'crypto.ciphertext_malformed',
        `unsupported encrypted file version ${p[STREAM_MAGIC.length]}`,
      );
    const idLength = p[STREAM_MAGIC.length + 1];
    const total = fixed + idLength + 4 + NONCE_PREFIX_BYTES;
    if (p.length < total) return false;
    const keyId = p.subarray(fixed, fixed + idLength).toString('ascii');
    if (!KEY_ID.test(keyId))
      throw new KeyRingError('crypto.ciphertext_malformed', 'not an encrypted file (bad key id)');
    this.segmentBytes = p.readUInt32BE(fixed + idLength);
    if (this.segmentBytes < 1 || this.segmentBytes > MAX_SEGMENT_BYTES)
      throw new KeyRingError('crypto.ciphertext_malformed', 'not an encrypted file (bad segment size)');
    this.key = this.keyFor(keyId);
    this.header = Buffer.from(p.subarray(0, total));
    this.prefix = Buffer.from(p.subarray(total - NONCE_PREFIX_BYTES, total));
    this.pending = p.subarray(total);
    return true;
  }

  private open(sealed: Buffer, last: boolean): Buffer {
    if (this.counter >= MAX_SEGMENTS)
      throw new KeyRingError('crypto.integrity_failed', 'the encrypted file has too many segments');
    const index = this.counter++;
    const decipher = createDecipheriv(ALGORITHM, this.key!, segmentNonce(this.prefix!, index, last));
    decipher.setAAD(this.header!);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      // Both halves are held back until final() has checked the tag.
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new KeyRingError(
        'crypto.integrity_failed',
        `the encrypted file does not authenticate at segment ${index}${last ? ' (the last)' : ''}: it was changed, cut or extended`,
      );
    }
  }
}
