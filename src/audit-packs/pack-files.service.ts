import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { EvidenceBlobsService } from '../evidence/evidence-blobs.service';
import type { AuditPack } from './audit-pack.entity';
import {
  buildManifest,
  CERTIFICATE_NAME,
  manifestBytes,
  MANIFEST_NAME,
  MANIFEST_SIG_NAME,
  PDF_NAME,
} from './domain/pack-manifest';
import { PackCollector } from './pack-collector.service';
import { POLICY_INDEX_NAME, policyIndexBytes } from './pack-policies';
import { RELEASES_NAME, SECURITY_REGISTERS_NAME, sectionBytes } from './pack-releases';
import type { PackModel } from './pack-model';
import { writeZip, type ZipSource } from './pack-zip';
import { renderPackPdf } from './pdf/render-pack-pdf';
import { PackSigner } from './signing/pack-signer';

export const PACK_ZIP_NAME = 'audit-pack.zip';

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export type PackProgress = (p: { progress: number; stage: string }) => void;

/** One build of a pack: its claim token, scratch folder, abort signal, progress so far and its steps. */
export interface BuildRun {
  pack: AuditPack;
  token: string;
  temp: string;
  signal: AbortSignal;
  state: { progress: number; stage: string; saved: string };
  step: (progress: number, stage: string) => Promise<void>;
  onProgress?: PackProgress;
}

/** What a pack holds before it is rendered: the model, its evidence files, the certificate and the manifest. */
export type PackContents = Awaited<ReturnType<PackFiles['contents']>>;

/** What goes into a pack: the model collected, the manifest, the signed PDF and the ZIP, written to a build's scratch folder. */
@Injectable()
export class PackFiles {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly evidence: EvidenceBlobsService,
    private readonly collector: PackCollector,
    private readonly signer: PackSigner,
  ) {}

  /** The model gathered from the other modules, the signer's certificate and the manifest of the ZIP's files. */
  async contents(pack: AuditPack) {
    const scope = { framework: pack.framework, from: pack.periodFrom, to: pack.periodTo };
    const cert = this.signer.certificate();
    const { model, evidenceFiles } = await this.collector.collect(scope, {
      subject: cert.subject,
      fingerprintSha256: cert.fingerprintSha256,
      selfSigned: cert.selfSigned,
    });
    const certificate = Buffer.from(cert.pem, 'utf8');
    // The policy index as data beside the PDF's section, hashed in the manifest like every file.
    const policyIndex = model.policies ? policyIndexBytes(model.policies) : null;
    const sectionFiles = sectionDataFiles(model);
    const manifest = manifestBytes(
      buildManifest({
        generator: model.generator,
        createdAt: model.generatedAt,
        scope,
        signer: { fingerprintSha256: cert.fingerprintSha256, subject: cert.subject },
        files: [
          ...evidenceFiles.map(({ path, sha256: hash, size }) => ({ path, sha256: hash, size })),
          { path: CERTIFICATE_NAME, sha256: sha256(certificate), size: certificate.length },
          ...(policyIndex ? [{ path: POLICY_INDEX_NAME, sha256: sha256(policyIndex), size: policyIndex.length }] : []),
          ...sectionFiles.map((f) => ({ path: f.path, sha256: sha256(f.bytes), size: f.bytes.length })),
        ],
      }),
    );
    return { scope, cert, model, evidenceFiles, certificate, manifest, policyIndex, sectionFiles };
  }

  /** Renders and signs the PDF, signs the manifest, and writes the PDF and the ZIP into the scratch folder. */
  async signedFiles(
    { temp, signal, state, step, onProgress }: BuildRun,
    { model, evidenceFiles, certificate, manifest, policyIndex, sectionFiles }: PackContents,
  ) {
    await step(20, 'rendering');
    const pdf = await renderPackPdf(model, {
      templatesDir: this.config.templatesDir,
      attachments: [
        {
          name: MANIFEST_NAME,
          data: manifest,
          description: 'Manifest of the audit pack ZIP: every file with its SHA-256 and size, and the scope',
          mediaType: 'application/json',
        },
      ],
    });

    await step(35, 'signing');
    const signedPdf = await this.signer.signPdf(pdf);
    const manifestSignature = await this.signer.signDetached(manifest);
    await writeFile(join(temp, PDF_NAME), signedPdf, { mode: 0o600 });

    await step(40, 'zipping');
    const total = evidenceFiles.reduce((n, f) => n + f.size, signedPdf.length) || 1;
    const entries: ZipSource[] = [
      { path: PDF_NAME, bytes: signedPdf, compress: false },
      ...evidenceFiles.map((f) => ({ path: f.path, size: f.size, open: async () => blobs.open(f.blob) })),
      { path: MANIFEST_NAME, bytes: manifest },
      { path: MANIFEST_SIG_NAME, bytes: manifestSignature },
      { path: CERTIFICATE_NAME, bytes: certificate },
      ...(policyIndex ? [{ path: POLICY_INDEX_NAME, bytes: policyIndex }] : []),
      ...sectionFiles,
    ];
    const blobs = await this.evidence.blobReader(evidenceFiles.map((f) => f.blob));
    let reported = 40;
    const zip = await writeZip(entries, join(temp, PACK_ZIP_NAME), {
      signal,
      onProgress: (written) => {
        state.progress = Math.min(99, 40 + Math.floor((59 * written) / total));
        if (onProgress && state.progress !== reported)
          onProgress({ progress: (reported = state.progress), stage: 'zipping' });
      },
    });
    signal.throwIfAborted();
    return { signedPdf, zip };
  }
}

/**
 * The releases section and the security-operations registers as data beside the PDF's sections (present
 * when the framework covers them), each hashed in the manifest like every file.
 */
export function sectionDataFiles(model: PackModel): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  if (model.releases) out.push({ path: RELEASES_NAME, bytes: sectionBytes(model.releases) });
  if (model.findings || model.keys)
    out.push({ path: SECURITY_REGISTERS_NAME, bytes: sectionBytes({ findings: model.findings, keys: model.keys }) });
  return out;
}
