import { randomBytes } from 'node:crypto';
import { createSelfSignedP12 } from '../audit-packs/signing/certificate';
import { generateSigningKeyText } from '../audit-trail/domain/signing-key-text';
import { KeyRing } from '../dsr/crypto/key-ring';
import type { CommandResult } from './commands';

/** A DSR key id that says when it was made and does not repeat: k20261205-3fa1. */
export function newDsrKeyId(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(2).toString('hex')}`;
}

/**
 * `attest keys generate [--organisation <name>]`: fresh key material for every shared secret, printed as
 * environment lines to put in the secret store all instances read. Needs no configuration and no database,
 * so it works before the first production start (which refuses to run without them).
 */
export function keysGenerateCommand(organisation: string): CommandResult {
  const password = randomBytes(24).toString('base64url');
  const p12 = createSelfSignedP12({ organisation, password });
  const lines = [
    '# Attest shared secrets: give every instance the same values (a secret store, not the repository).',
    '# DSR_ENCRYPTION_KEYS: the DSR key ring, newest first; keep old keys after a rotation.',
    `DSR_ENCRYPTION_KEYS=${KeyRing.generateKeyEntry(newDsrKeyId())}`,
    '# AUDIT_SIGNING_KEY: Ed25519 key that signs audit-trail checkpoints (base64 PKCS#8).',
    `AUDIT_SIGNING_KEY=${generateSigningKeyText()}`,
    `# SIGNING_P12: self-signed pack-signing certificate for "${organisation}" (base64 PKCS#12); replace it with the organisation's own when it has one.`,
    `SIGNING_P12=${p12.toString('base64')}`,
    `SIGNING_P12_PASSWORD=${password}`,
  ];
  return { output: lines.join('\n'), exitCode: 0 };
}
