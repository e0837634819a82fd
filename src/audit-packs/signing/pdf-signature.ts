// Signing a finished PDF (PAdES baseline B-B, or B-T with a timestamp) and checking such a signature without
// poppler. Pure functions apart from the optional timestamp request.
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { createDetachedCms, createDetachedCmsWithTimestamp, CmsSigningKey, fingerprintOf, verifyCms } from './cms';

export interface PdfSignatureOptions {
  /** The signer's name in the signature dictionary (/Name). */
  name: string;
  reason: string;
  location: string;
  contactInfo: string;
  /** Claimed signing time (/M); the CMS carries no signing-time attribute (PAdES B-B). */
  signingTime: Date;
  /** Obtains an RFC 3161 token over the signature value (PAdES B-T); absent: no timestamp. */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>;
}

/** Bytes reserved for the CMS: an RSA-3072 signer with its certificate needs ~2.3 KB; a TSA token adds ~2–6 KB. */
const SIGNATURE_LENGTH = 8192;
const SIGNATURE_LENGTH_WITH_TIMESTAMP = 24576;

/** @signpdf's Signer contract, filled by our CMS builder. */
class CmsSigner extends Signer {
  constructor(
    private readonly key: CmsSigningKey,
    private readonly timestamp: PdfSignatureOptions['timestamp'],
  ) {
    super();
  }

  override async sign(signedBytes: Buffer): Promise<Buffer> {
    const options = { signingTime: null };
    return this.timestamp
      ? createDetachedCmsWithTimestamp(signedBytes, this.key, options, this.timestamp)
      : createDetachedCms(signedBytes, this.key, options);
  }
}

/**
 * Adds an invisible signature field by incremental update (`plainAddPlaceholder`: the PDF must have a classic
 * xref table, as pdfkit writes) and fills it with a detached CMS, SubFilter ETSI.CAdES.detached.
 */
export async function signPdfWith(pdf: Buffer, key: CmsSigningKey, options: PdfSignatureOptions): Promise<Buffer> {
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    name: options.name,
    reason: options.reason,
    location: options.location,
    contactInfo: options.contactInfo,
    signingTime: options.signingTime,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    signatureLength: options.timestamp ? SIGNATURE_LENGTH_WITH_TIMESTAMP : SIGNATURE_LENGTH,
    appName: 'Attest',
  });
  // SignPdf keeps the last signature on the instance: one per call.
  return Buffer.from(await new SignPdf().sign(withPlaceholder, new CmsSigner(key, options.timestamp)));
}

export interface PdfSignatureVerification {
  valid: boolean;
  /** The signature covers every byte of the file except its own /Contents value. */
  totalDocumentSigned: boolean;
  signerFingerprintSha256: string | null;
  problem: string | null;
  /** ISO time of a valid RFC 3161 signature timestamp (PAdES B-T), null when the signature has none. */
  timestampedAt: string | null;
}

interface FoundSignature {
  byteRange: [number, number, number, number];
  contentsHex: string;
}

/** The last signature dictionary's /ByteRange and /Contents (the last one signed, or the only one). */
function findLastSignature(pdf: Buffer): FoundSignature | null | string {
  const text = pdf.toString('latin1');
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  let last: RegExpExecArray | null = null;
  for (let m: RegExpExecArray | null; (m = re.exec(text));) last = m;
  if (!last) return null;
  const byteRange = [Number(last[1]), Number(last[2]), Number(last[3]), Number(last[4])] as FoundSignature['byteRange'];
  const [a, b, c, d] = byteRange;
  if (a !== 0) return 'the signed ranges do not start at the beginning of the file';
  if (b >= c || c + d > pdf.length)
    return `the signed ranges [${a} ${b} ${c} ${d}] do not fit the file (${pdf.length} bytes)`;
  // The gap between the two ranges must be exactly the /Contents hex string, nothing else left unsigned.
  const gap = text.slice(b, c);
  if (!/^<[0-9a-fA-F]*>$/.test(gap))
    return 'the unsigned gap between the signed ranges is not just the signature value';
  const before = text.slice(Math.max(0, b - 40), b);
  if (!/\/Contents\s*$/.test(before)) return 'the unsigned gap is not the signature dictionary /Contents';
  return { byteRange, contentsHex: gap.slice(1, -1) };
}

/**
 * Checks the (last) signature of a PDF the way pdfsig does, without poppler: the CMS message digest equals the
 * SHA-256 of the signed ranges and the signature verifies against the certificate embedded in it; total when
 * the ranges cover the whole file. Valid and total are separate answers: bytes appended after signing (an
 * incremental update) leave the signature valid but the document not totally signed. Trust in the
 * certificate is not judged here: compare `signerFingerprintSha256` with the one you expect.
 */
export async function verifyPdfSignature(pdf: Buffer): Promise<PdfSignatureVerification> {
  const none = { valid: false, totalDocumentSigned: false, signerFingerprintSha256: null, timestampedAt: null };
  const found = findLastSignature(pdf);
  if (found === null) return { ...none, problem: 'the PDF has no signature' };
  if (typeof found === 'string') return { ...none, problem: found };
  const [, b, c, d] = found.byteRange;
  const cms = Buffer.from(found.contentsHex, 'hex');
  const signed = Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]);
  const result = await verifyCms(cms, signed);
  const totalDocumentSigned = c + d === pdf.length;
  return {
    valid: result.valid,
    totalDocumentSigned,
    signerFingerprintSha256: result.signerCertificate ? fingerprintOf(result.signerCertificate) : null,
    problem:
      result.problem ?? (totalDocumentSigned ? null : `${pdf.length - (c + d)} bytes were added after the signature`),
    timestampedAt: result.timestampedAt ? result.timestampedAt.toISOString() : null,
  };
}
