// Errors of the key ring (key-ring.ts): never key material or plaintext in a message.

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
