import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { CertificateInfo, createSelfSignedP12, describeCertificate, readP12 } from './certificate';
import type { CmsSigningKey } from './cms';
import { detachedSignature, pdfSignature, timestamps } from './on-first-use';
import { PackCertificateError } from './pack-signing.errors';

interface LoadedKey {
  key: CmsSigningKey;
  info: CertificateInfo;
}

/**
 * Signs audit packs with the organisation's certificate: SIGNING_P12 (the PKCS#12 as base64, shared by every
 * instance) or SIGNING_P12_FILE (it must exist), opened with SIGNING_P12_PASSWORD; else — only outside
 * production, where the configuration refuses to start without one — a self-signed RSA-3072 certificate for ORGANISATION_NAME created at first use as
 * DATA_DIR/keys/pack-signing.p12, its random password in pack-signing.p12.password beside it (both 0600).
 * With TSA_URL, PDF signatures carry an RFC 3161 timestamp (PAdES B-T) and signing fails without one.
 */
@Injectable()
export class PackSigner {
  private readonly log = new Logger(PackSigner.name);
  private loaded: LoadedKey | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Where the self-signed P12 lives (when none is configured). */
  get selfSignedPath(): string {
    return join(this.config.dataDir, 'keys', 'pack-signing.p12');
  }

  /** The signing certificate; the self-signed one is created now if there is none yet. */
  certificate(): CertificateInfo {
    return this.load().info;
  }

  /** Signs a finished PDF (ETSI.CAdES.detached; with TSA_URL also timestamped). */
  async signPdf(pdf: Buffer): Promise<Buffer> {
    const { key, info } = this.load();
    const tsaUrl = this.config.tsaUrl;
    return pdfSignature().signPdfWith(pdf, key, {
      name: info.subject,
      reason: 'Audit pack issued by Attest',
      location: this.config.organisationName,
      contactInfo: this.config.publicUrl ?? this.config.organisationName,
      signingTime: new Date(),
      timestamp: tsaUrl ? (signatureValue) => timestamps().requestTimestamp(tsaUrl, signatureValue) : undefined,
    });
  }

  /** A detached CMS signature (DER) over `data`, e.g. manifest.json → manifest.json.sig. */
  signDetached(data: Buffer): Promise<Buffer> {
    return detachedSignature().signDetachedWith(data, this.load().key, new Date());
  }

  private load(): LoadedKey {
    if (this.loaded) return this.loaded;
    const key = this.config.signingP12
      ? readP12(this.config.signingP12, this.config.signingP12Password ?? '', 'SIGNING_P12')
      : this.config.signingP12File
        ? this.readConfigured(this.config.signingP12File)
        : this.readOrCreateSelfSigned();
    this.loaded = { key, info: describeCertificate(key.certificateDer) };
    return this.loaded;
  }

  private readConfigured(file: string): CmsSigningKey {
    if (!existsSync(file)) throw new PackCertificateError(`SIGNING_P12_FILE ${file} does not exist`);
    return readP12(readFileSync(file), this.config.signingP12Password ?? '', `SIGNING_P12_FILE ${file}`);
  }

  private readOrCreateSelfSigned(): CmsSigningKey {
    const path = this.selfSignedPath;
    const passwordPath = `${path}.password`;
    // The password first, then the P12 under it. Each is written aside and linked into place, so a reader
    // never sees half a file and two processes creating at once agree: whoever links second reads the winner's
    // password, and either P12 then opens with it.
    if (!existsSync(passwordPath)) createOnce(passwordPath, () => randomBytes(24).toString('base64url') + '\n');
    const password = readFileSync(passwordPath, 'utf8').trim();
    if (!existsSync(path)) {
      if (createOnce(path, () => createSelfSignedP12({ organisation: this.config.organisationName, password }))) {
        this.log.log(
          `created a self-signed pack-signing certificate ${path}; set SIGNING_P12_FILE to sign with the organisation's own`,
        );
      }
    }
    return readP12(readFileSync(path), password, path);
  }
}

/** Writes `contents()` to `path` unless it exists (mode 0600, atomically); true when this call created it. */
function createOnce(path: string, contents: () => Buffer | string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, contents(), { mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new PackCertificateError(`cannot create ${path} (${(e as Error).message})`);
  } finally {
    rmSync(temp, { force: true });
  }
}
