// Encryption at rest for DSR data (subject identity, connector secrets, export packages): AES-256-GCM
// under a ring of named keys. Every ciphertext names the key that made it, so keys rotate: a new key
// becomes current for new ciphertexts, and the old ones stay in the ring to decrypt what they made.
//
// Two formats:
// - Text (column values): `v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts, 12-byte random IV.
//   Optional associated data (e.g. `dsr_requests.subject_identity:<row id>`) binds a value to its place:
//   a ciphertext copied into another column or row does not decrypt there.
// - Stream (files such as export packages): a header, then the plaintext in 64 KiB segments, each sealed
//   with its own GCM tag (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, as in age
//   and Tink). GCM hands out plaintext before it has checked the tag; with one tag at the end of a large
//   file a reader would see forged bytes before the failure. Per-segment tags let `decryptStream()` pass
//   on only bytes that are already authenticated, in bounded memory, with no plaintext temp file: a
//   tampered, reordered, truncated or extended file makes the stream error before any byte of the bad
//   segment is emitted. What a consumer got before that error is an authentic prefix, not the whole
//   file: consumers must treat the stream's error as failure (pipeline() does) and, for a download,
//   abort the response (the client sees a broken transfer, never a complete-looking forged file).
//
//   header  = "ATDSRENC" | version 0x01 | keyId length (1 byte) | keyId (ASCII) | segment size (uint32 BE)
//             | nonce prefix (7 random bytes)
//   segment = GCM(key, nonce = prefix | counter (uint32 BE) | last flag (0x00 / 0x01), aad = header) → ct | tag
//   Every segment but the last holds exactly `segment size` plaintext bytes; the last holds 0..size and
//   carries the last flag, so dropping trailing segments or appending some fails authentication.
//
// Keys come from DSR_ENCRYPTION_KEYS ("k2:<base64>,k1:<base64>", first = current) or, when that is unset,
// a key file (JSON, mode 0600) created with one key the first time. Only node:crypto and node:fs.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Transform, TransformCallback } from 'node:stream';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const TEXT_VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

const STREAM_MAGIC = Buffer.from('ATDSRENC', 'ascii');
const STREAM_VERSION = 1;
const NONCE_PREFIX_BYTES = 7;
/** Plaintext bytes per segment of the stream format. */
export const STREAM_SEGMENT_BYTES = 64 * 1024;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
const MAX_SEGMENTS = 2 ** 32;

const KEY_FILE_FORMAT = 'attest-dsr-keys/1';

export type KeyRingErrorCode =
  /** A configured key or key file entry is not usable (wrong length, bad base64, bad id, duplicate). */
  | 'crypto.key_malformed'
  /** The key file cannot be read, parsed or created. */
  | 'crypto.key_file_unusable'
  /** A ciphertext names a key the ring does not hold (a key was removed, or the wrong key set is loaded). */
  | 'crypto.key_unknown'
  /** Not a ciphertext of a format this ring writes (cut, or not encrypted at all). */
  | 'crypto.ciphertext_malformed'
  /** The ciphertext, its tag, or its associated data was changed, or it was made with another key of the same id. */
  | 'crypto.integrity_failed';

/**
 * Something is wrong with keys or ciphertexts. Never carries key material or plaintext. Not an AppError:
 * to a caller of the API it is a server fault (500, logged), not something the request can fix.
 */
export class KeyRingError extends Error {
  constructor(
    readonly code: KeyRingErrorCode,
    message: string,
    /** For crypto.key_unknown: the key id the ciphertext names (the HTTP layer answers 503 naming it). */
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'KeyRingError';
  }
}

export interface RingKey {
  id: string;
  key: Buffer;
}

export interface KeyRingOptions {
  /** DSR_ENCRYPTION_KEYS: "id:base64key,…", the first is current. When given, the key file is not read. */
  keys?: string;
  /** The key file used when `keys` is unset (e.g. DATA_DIR/keys/dsr-encryption.json). */
  keyFile: string;
  /** Create the key file with one new key when it does not exist (default true). Pass false for a path the operator configured, which must exist. */
  createIfMissing?: boolean;
}

interface KeyFileContent {
  format: typeof KEY_FILE_FORMAT;
  keys: Array<{ id: string; key: string; createdAt: string }>;
}

/**
 * Parses "k2:base64key,k1:base64key" (first = current). Errors name the entry by position and key id and
 * never include key material.
 */
export function parseKeyList(spec: string): RingKey[] {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0)
    throw new KeyRingError('crypto.key_malformed', 'no key given: expected id:base64key[,id:base64key…]');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new KeyRingError('crypto.key_malformed', `entry ${i + 1} is not id:base64key`);
    const key = decodeKey(entry.slice(0, colon).trim(), entry.slice(colon + 1).trim(), `entry ${i + 1}`);
    if (seen.has(key.id))
      throw new KeyRingError('crypto.key_malformed', `entry ${i + 1}: key id ${key.id} is given twice`);
    seen.add(key.id);
    return key;
  });
}

function decodeKey(id: string, encoded: string, where: string): RingKey {
  if (!KEY_ID.test(id))
    throw new KeyRingError('crypto.key_malformed', `${where}: the key id must be 1-32 letters, digits, _ or -`);
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new KeyRingError('crypto.key_malformed', `${where} (${id}): the key is not base64`);
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new KeyRingError(
      'crypto.key_malformed',
      `${where} (${id}): the key must be ${KEY_BYTES} bytes (got ${key.length}); make one with: openssl rand -base64 32`,
    );
  }
  return { id, key };
}

export class KeyRing {
  private readonly byId = new Map<string, Buffer>();
  /** The key new ciphertexts are made with. */
  readonly currentKeyId: string;

  /** `keys[0]` is current; the others only decrypt. */
  constructor(keys: readonly RingKey[]) {
    if (keys.length === 0) throw new KeyRingError('crypto.key_malformed', 'a key ring needs at least one key');
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id))
        throw new KeyRingError('crypto.key_malformed', `key id must be 1-32 letters, digits, _ or -`);
      if (key.length !== KEY_BYTES)
        throw new KeyRingError('crypto.key_malformed', `key ${id} must be ${KEY_BYTES} bytes (got ${key.length})`);
      if (this.byId.has(id)) throw new KeyRingError('crypto.key_malformed', `key id ${id} is given twice`);
      this.byId.set(id, Buffer.from(key));
    }
    this.currentKeyId = keys[0].id;
  }

  /** The ring from DSR_ENCRYPTION_KEYS when set, else from the key file (created with one key when allowed). */
  static fromConfig(options: KeyRingOptions): KeyRing {
    if (options.keys !== undefined && options.keys.trim() !== '') {
      try {
        return new KeyRing(parseKeyList(options.keys));
      } catch (e) {
        if (e instanceof KeyRingError) throw new KeyRingError(e.code, `DSR_ENCRYPTION_KEYS: ${e.message}`);
        throw e;
      }
    }
    if (!existsSync(options.keyFile)) {
      if (options.createIfMissing === false)
        throw new KeyRingError('crypto.key_file_unusable', `the DSR key file ${options.keyFile} does not exist`);
      createKeyFile(options.keyFile);
    }
    return new KeyRing(readKeyFile(options.keyFile));
  }

  /**
   * Adds a new current key to the key file (old keys stay, so existing ciphertexts still decrypt) and
   * returns the new ring. Written aside and renamed into place; run it from one place at a time.
   */
  static rotateKeyFile(path: string, now = new Date()): KeyRing {
    const existing = readKeyFile(path);
    const used = new Set(existing.map((k) => k.id));
    let n = existing.length + 1;
    while (used.has(`k${n}`)) n++;
    const content: KeyFileContent = {
      format: KEY_FILE_FORMAT,
      keys: [
        { id: `k${n}`, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: now.toISOString() },
        ...readKeyFileEntries(path),
      ],
    };
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
    try {
      renameSync(temp, path);
    } finally {
      rmSync(temp, { force: true });
    }
    return new KeyRing(readKeyFile(path));
  }

  /** A new random key in the form DSR_ENCRYPTION_KEYS takes. */
  static generateKeyEntry(id: string): string {
    if (!KEY_ID.test(id)) throw new KeyRingError('crypto.key_malformed', 'key id must be 1-32 letters, digits, _ or -');
    return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  has(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** The key id a text ciphertext names (for re-encryption after rotation). */
  static keyIdOf(token: string): string {
    return parseToken(token).keyId;
  }

  encryptText(plain: string, aad?: string): string {
    const key = this.byId.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    cipher.setAAD(textAad(this.currentKeyId, aad));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [TEXT_VERSION, this.currentKeyId, b64url(iv), b64url(cipher.getAuthTag()), b64url(ct)].join('.');
  }

  /** Throws KeyRingError: malformed token, unknown key id, or integrity failure (changed token, wrong aad). */
  decryptText(token: string, aad?: string): string {
    const { keyId, iv, tag, ct } = parseToken(token);
    const decipher = createDecipheriv(ALGORITHM, this.keyFor(keyId), iv);
    decipher.setAAD(textAad(keyId, aad));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyRingError(
        'crypto.integrity_failed',
        `the ciphertext (key ${keyId}) does not authenticate: it was changed, belongs to another column or row, or was made with a different key named ${keyId}`,
      );
    }
  }

  encryptJson(value: unknown, aad?: string): string {
    return this.encryptText(JSON.stringify(value), aad);
  }

  decryptJson<T = unknown>(token: string, aad?: string): T {
    return JSON.parse(this.decryptText(token, aad)) as T;
  }

  /** True when the token was made with a key other than the current one (re-encrypt it after a rotation). */
  isStale(token: string): boolean {
    return parseToken(token).keyId !== this.currentKeyId;
  }

  /** A Transform that encrypts with the current key into the stream format (see the file header). */
  encryptStream(segmentBytes = STREAM_SEGMENT_BYTES): Transform {
    return new EncryptStream(this.currentKeyId, this.byId.get(this.currentKeyId)!, segmentBytes);
  }

  /**
   * A Transform that decrypts the stream format with whichever ring key the header names. Emits only
   * authenticated segments; errors (KeyRingError) on an unknown key, a bad header, or any change.
   */
  decryptStream(): Transform {
    return new DecryptStream((id) => this.keyFor(id));
  }

  private keyFor(keyId: string): Buffer {
    const key = this.byId.get(keyId);
    if (!key) {
      throw new KeyRingError(
        'crypto.key_unknown',
        `the ciphertext was made with key ${keyId}, which is not in the key ring (${this.keyIds.join(', ')}); keep old keys after a rotation`,
        keyId,
      );
    }
    return key;
  }
}

function textAad(keyId: string, aad: string | undefined): Buffer {
  // The version and key id are authenticated too; \0 cannot occur in a key id.
  return Buffer.from(`${TEXT_VERSION}.${keyId}\0${aad ?? ''}`, 'utf8');
}

function parseToken(token: string): { keyId: string; iv: Buffer; tag: Buffer; ct: Buffer } {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 5 || parts[0] !== TEXT_VERSION) {
    throw new KeyRingError(
      'crypto.ciphertext_malformed',
      `not an encrypted value (expected ${TEXT_VERSION}.<keyId>.<iv>.<tag>.<ciphertext>)`,
    );
  }
  const [, keyId, iv, tag, ct] = parts;
  if (!KEY_ID.test(keyId) || !/^[A-Za-z0-9_-]*$/.test(iv + tag + ct)) {
    throw new KeyRingError('crypto.ciphertext_malformed', 'not an encrypted value (bad key id or base64url)');
  }
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw new KeyRingError(
      'crypto.ciphertext_malformed',
      `not an encrypted value (the IV must be ${IV_BYTES} bytes and the tag ${TAG_BYTES})`,
    );
  }
  return { keyId, iv: ivBytes, tag: tagBytes, ct: Buffer.from(ct, 'base64url') };
}

function b64url(b: Buffer): string {
  return b.toString('base64url');
}

// ---- key file -------------------------------------------------------------------------------------

function readKeyFileEntries(path: string): KeyFileContent['keys'] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KeyRingError(
      'crypto.key_file_unusable',
      `the DSR key file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which holds keys: not repeated.
    throw new KeyRingError('crypto.key_file_unusable', `the DSR key file ${path} is not valid JSON`);
  }
  const content = parsed as Partial<KeyFileContent>;
  if (
    typeof content !== 'object' ||
    content === null ||
    content.format !== KEY_FILE_FORMAT ||
    !Array.isArray(content.keys) ||
    content.keys.length === 0
  ) {
    throw new KeyRingError(
      'crypto.key_file_unusable',
      `the DSR key file ${path} is not a ${KEY_FILE_FORMAT} file with at least one key`,
    );
  }
  return content.keys;
}

function readKeyFile(path: string): RingKey[] {
  return readKeyFileEntries(path).map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof entry.id !== 'string' || typeof entry.key !== 'string') {
      throw new KeyRingError('crypto.key_malformed', `${path}: key ${i + 1} needs an id and a key`);
    }
    return decodeKey(entry.id, entry.key, `${path}: key ${i + 1}`);
  });
}

/**
 * Written aside, then linked into place: never a half-written key file, and never two different keys
 * when the server and the CLI create one at the same moment (link fails for the one that lost).
 */
function createKeyFile(path: string): void {
  const content: KeyFileContent = {
    format: KEY_FILE_FORMAT,
    keys: [{ id: 'k1', key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() }],
  };
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(temp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
    linkSync(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new KeyRingError(
        'crypto.key_file_unusable',
        `cannot create the DSR key file ${path} (${(e as Error).message})`,
      );
  } finally {
    rmSync(temp, { force: true });
  }
}

// ---- stream format --------------------------------------------------------------------------------

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

class EncryptStream extends Transform {
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

class DecryptStream extends Transform {
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
