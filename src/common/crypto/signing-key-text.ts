// The audit-trail signing key as configuration text (AUDIT_SIGNING_KEY): a PEM private key, or the
// base64 of its PKCS#8 DER on one line (what `attest keys generate` prints, easy to put in an env file).
// Pure: node:crypto only.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export class SigningKeyTextError extends Error {}

/** Reads an Ed25519 private key from PEM or one-line base64 PKCS#8 DER. Messages never quote the key. */
export function parseSigningKeyText(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey(trimmed.replace(/\\n/g, '\n'))
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new SigningKeyTextError(
      'is not a private key: give a PEM key or the base64 of its PKCS#8 DER (make one with: attest keys generate)',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyTextError(
      `holds a ${key.asymmetricKeyType} key; an Ed25519 key is needed (attest keys generate)`,
    );
  return key;
}

/** A new Ed25519 private key as one line of base64 PKCS#8 DER. */
export function generateSigningKeyText(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}
