// The keys of the ring (key-ring.ts) and the AES-256-GCM parameters both its formats use: key ids and
// lengths, and the "id:base64key" list DSR_ENCRYPTION_KEYS takes.
import { KeyRingError } from './key-ring.errors';

export const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface RingKey {
  id: string;
  key: Buffer;
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

export function decodeKey(id: string, encoded: string, where: string): RingKey {
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
