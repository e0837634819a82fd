import { Inject, Injectable, Logger } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SigningKeyUnavailableError } from './audit-trail.errors';
import { parseSigningKeyText } from '../common/crypto/signing-key-text';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  path: string;
}

/**
 * The Ed25519 key that signs checkpoints: AUDIT_SIGNING_KEY (the key as text, shared by every instance),
 * else AUDIT_SIGNING_KEY_FILE when set (it must exist), else DATA_DIR/keys/audit-trail-ed25519.pem,
 * created (mode 0600) the first time a checkpoint is written — only outside production, where the
 * configuration refuses to start without one of the two. Verification never creates a key.
 */
@Injectable()
export class SigningKeyStore {
  private readonly log = new Logger(SigningKeyStore.name);
  readonly path: string;
  private readonly configured: boolean;
  private readonly text: string | undefined;
  private cached: SigningKey | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.text = config.auditSigningKey;
    this.configured = config.auditSigningKeyFile !== undefined || config.auditSigningKey !== undefined;
    this.path =
      config.auditSigningKey !== undefined
        ? 'AUDIT_SIGNING_KEY'
        : (config.auditSigningKeyFile ?? join(config.dataDir, 'keys', 'audit-trail-ed25519.pem'));
  }

  /** The key, or null when there is none yet (verification then reports checkpoints it cannot check). */
  load(): SigningKey | null {
    if (this.cached) return this.cached;
    if (this.text !== undefined) {
      const privateKey = parseSigningKeyText(this.text); // checked when the configuration was loaded
      this.cached = { privateKey, publicKey: createPublicKey(privateKey), path: this.path };
      return this.cached;
    }
    if (!existsSync(this.path)) {
      if (this.configured) throw new SigningKeyUnavailableError(`AUDIT_SIGNING_KEY_FILE ${this.path} does not exist`);
      return null;
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(readFileSync(this.path));
    } catch (e) {
      throw new SigningKeyUnavailableError(`${this.path} is not a readable PEM private key (${(e as Error).message})`);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new SigningKeyUnavailableError(
        `${this.path} holds a ${privateKey.asymmetricKeyType} key; an Ed25519 key is needed (openssl genpkey -algorithm ed25519)`,
      );
    }
    this.cached = { privateKey, publicKey: createPublicKey(privateKey), path: this.path };
    return this.cached;
  }

  /** The key, created first when none is configured and none exists yet. */
  loadOrCreate(): SigningKey {
    const existing = this.load();
    if (existing) return existing;
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Written aside, then linked into place: never a half-written key, and never two different keys when
    // the server and the CLI create one at the same moment (link fails if the other one won).
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, pem, { mode: 0o600 });
    try {
      linkSync(temp, this.path);
      this.log.log(
        `created the audit-trail signing key ${this.path}; back it up: checkpoints can only be verified with it`,
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new SigningKeyUnavailableError(`cannot create ${this.path} (${(e as Error).message})`);
    } finally {
      rmSync(temp, { force: true });
    }
    return this.load()!;
  }
}
