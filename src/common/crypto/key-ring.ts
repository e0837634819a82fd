// Encryption at rest for DSR data (subject identity, connector secrets, export packages): AES-256-GCM
// under a ring of named keys. Every ciphertext names the key that made it, so keys rotate: a new key
// becomes current for new ciphertexts, and the old ones stay in the ring to decrypt what they made.
//
// Two formats:
// - Text (column values): `v1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts, 12-byte random IV.
//   Optional associated data (e.g. `dsr_requests.subject_identity:<row id>`) binds a value to its place:
//   a ciphertext copied into another column or row does not decrypt there.
// - Stream (files such as export packages): a header, then the plaintext in 64 KiB segments, each sealed
//   with its own GCM tag, so a reader gets only authenticated bytes (encrypted-stream.ts says how and why).
//
// Keys come from DSR_ENCRYPTION_KEYS ("k2:<base64>,k1:<base64>", first = current; ring-keys.ts) or, when
// that is unset, a key file (JSON, mode 0600) created with one key the first time (key-file.ts). Only
// node:crypto and node:fs.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Transform } from 'node:stream';
import { DecryptStream, EncryptStream, STREAM_SEGMENT_BYTES } from './encrypted-stream';
import { addKeyToKeyFile, createKeyFile, readKeyFile } from './key-file';
import { KeyRingError } from './key-ring.errors';
import { ALGORITHM, IV_BYTES, KEY_BYTES, KEY_ID, parseKeyList, RingKey, TAG_BYTES } from './ring-keys';

export { STREAM_SEGMENT_BYTES } from './encrypted-stream';
export { KeyRingError, type KeyRingErrorCode } from './key-ring.errors';
export { parseKeyList, type RingKey } from './ring-keys';

const TEXT_VERSION = 'v1';

export interface KeyRingOptions {
  /** DSR_ENCRYPTION_KEYS: "id:base64key,…", the first is current. When given, the key file is not read. */
  keys?: string;
  /** The key file used when `keys` is unset (e.g. DATA_DIR/keys/dsr-encryption.json). */
  keyFile: string;
  /** Create the key file with one new key when it does not exist (default true). Pass false for a path the operator configured, which must exist. */
  createIfMissing?: boolean;
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
    addKeyToKeyFile(path, now);
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
