import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { DsrKeyRotationService } from '../dsr/dsr-key-rotation.service';
import { createSelfSignedP12 } from '../audit-packs/signing/certificate';
import { generateSigningKeyText } from '../common/crypto/signing-key-text';
import { KeyRing } from '../common/crypto/key-ring';
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

/**
 * `attest keys reencrypt [--limit N]`: re-encrypts DSR values still made with an older key (the server also
 * does it every 10 minutes). Resumable: run it again to continue. Exit 1 while values remain.
 */
export async function keysReencryptCommand(
  ctx: INestApplicationContext,
  limit: number | undefined,
): Promise<CommandResult> {
  const result = await ctx.get(DsrKeyRotationService).reencryptStale({ limit });
  const unknown = Object.entries(result.unknownKeys).map(
    ([id, n]) => `${n} made with key ${id}, which is not in this key ring`,
  );
  const lines = [
    `re-encrypted ${result.reencrypted} DSR value(s) with the current key; ${result.remaining} still under older keys`,
    ...unknown,
  ];
  return { output: lines.join('\n'), exitCode: result.remaining === 0 ? 0 : 1 };
}

/**
 * `attest keys rotate`: a new current DSR key. With the key file (DSR_KEY_FILE or the one under DATA_DIR) the
 * key is added to it; then re-encryption runs (`run`). With DSR_ENCRYPTION_KEYS, which this command cannot
 * change, it prints the new value to deploy to every instance (the servers then re-encrypt in the background).
 */
export function keysRotateCommand(config: AppConfig): { result: CommandResult; reencrypt: boolean } {
  if (config.dsrEncryptionKeys) {
    const value = `${KeyRing.generateKeyEntry(newDsrKeyId())},${config.dsrEncryptionKeys}`;
    const lines = [
      '# DSR_ENCRYPTION_KEYS is set in the environment: deploy this value to every instance. Safest in two steps: first with the new key',
      '# last (every instance can read it), then first (new data uses it). The servers re-encrypt older values in the background',
      '# (every 10 minutes), or run: attest keys reencrypt. Keep the old keys until it reports 0 remaining.',
      `DSR_ENCRYPTION_KEYS=${value}`,
    ];
    return { result: { output: lines.join('\n'), exitCode: 0 }, reencrypt: false };
  }
  const keyFile = config.dsrKeyFile ?? join(config.dataDir, 'keys', 'dsr-encryption.json');
  KeyRing.fromConfig({ keyFile, createIfMissing: config.dsrKeyFile === undefined });
  const ring = KeyRing.rotateKeyFile(keyFile);
  return {
    result: { output: `added key ${ring.currentKeyId} to ${keyFile} (keys: ${ring.keyIds.join(', ')})`, exitCode: 0 },
    reencrypt: true,
  };
}
