// CMS SignedData (RFC 5652), detached, built and checked with PKI.js (pkijs, on asn1js), Node's WebCrypto
// doing the cryptography. Why not node-forge's pkcs7: it cannot add the ESS signing-certificate-v2 attribute
// that PAdES baseline (ETSI EN 319 142-1, B-B) requires, cannot carry an unsigned RFC 3161 timestamp, and its
// verify() is not implemented. Pure functions: no Nest, no files.
import * as asn1js from 'asn1js';
import { createHash, KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';

/** PKI.js on Node's WebCrypto; passed to every PKI.js call (and set as its default for the calls it makes inside). */
const engine = new pkijs.CryptoEngine({
  name: 'node',
  crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
});
pkijs.setEngine('node', engine);

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

export interface CmsSigningKey {
  privateKey: KeyObject;
  /** The signer's certificate (DER). */
  certificateDer: Buffer;
  /** Further certificates to embed (intermediates), DER. */
  chainDer?: Buffer[];
}

export interface CmsSignOptions {
  /** A signing-time attribute; null leaves it out (PAdES: the claimed time is the signature dictionary's /M). */
  signingTime: Date | null;
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
/** A fresh ArrayBuffer holding exactly these bytes (PKI.js takes ArrayBuffers). */
const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;
const bytesOf = (block: asn1js.BaseBlock): Buffer => Buffer.from(block.valueBeforeDecodeView);

const NAMED_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The Node private key as a WebCrypto key PKI.js can sign with (SHA-256). */
async function signingKeyOf(key: KeyObject): Promise<webcrypto.CryptoKey> {
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType === 'rsa')
    return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const namedCurve = NAMED_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'ec' && namedCurve)
    return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve }, false, ['sign']);
  throw new Error(`a ${key.asymmetricKeyType} key cannot sign packs: use an RSA or EC (P-256/384/521) key`);
}

/** DER SET OF needs its members sorted by encoding (X.690 11.6); OpenSSL re-encodes signed attributes that way. */
function derSorted(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  return attributes
    .map((attribute) => ({ attribute, der: Buffer.from(attribute.toSchema().toBER()) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((a) => a.attribute);
}

/**
 * ESS signing-certificate-v2 (RFC 5035): one ESSCertIDv2 with hashAlgorithm left at its DEFAULT (sha256), the
 * certificate's hash and its issuerSerial. PKI.js has no class for it; it is composed from asn1js/PKI.js parts.
 */
function signingCertificateV2(certificate: pkijs.Certificate, certificateDer: Buffer): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }).toSchema(),
      certificate.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: arrayBufferOf(sha256(certificateDer)) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** UTCTime for 1950–2049 (what RFC 5652 signing-time uses there), else GeneralizedTime. */
function signingTimeValue(d: Date): asn1js.BaseBlock {
  const y = d.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? new asn1js.UTCTime({ valueDate: d }) : new asn1js.GeneralizedTime({ valueDate: d });
}

/**
 * A detached CMS SignedData (DER) over `content`: SHA-256, signed attributes incl. ESS signing-certificate-v2;
 * with `timestamp`, an RFC 3161 signature timestamp (id-aa-signatureTimeStampToken) as an unsigned attribute:
 * `timestamp` receives the signature value and returns a token (DER) over it.
 */
async function createSignedData(
  content: Buffer,
  key: CmsSigningKey,
  options: CmsSignOptions,
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  const certificate = pkijs.Certificate.fromBER(key.certificateDer);
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    ...(options.signingTime
      ? [new pkijs.Attribute({ type: OID.signingTime, values: [signingTimeValue(options.signingTime)] })]
      : []),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: arrayBufferOf(sha256(content)) })],
    }),
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      values: [signingCertificateV2(certificate, key.certificateDer)],
    }),
  ];
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: derSorted(attributes) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }), // detached: no eContent
    signerInfos: [signerInfo],
    certificates: [certificate, ...(key.chainDer ?? []).map((der) => pkijs.Certificate.fromBER(der))],
  });
  await signedData.sign(await signingKeyOf(key.privateKey), 0, 'SHA-256', undefined, engine);
  // PKI.js leaves sha256WithRSAEncryption's parameters out; RFC 5754 section 3.2 says they MUST be NULL.
  if (key.privateKey.asymmetricKeyType === 'rsa') signerInfo.signatureAlgorithm.algorithmParams = new asn1js.Null();
  if (timestamp) {
    const token = await timestamp(Buffer.from(signerInfo.signature.valueBlock.valueHexView));
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [asn1js.fromBER(token).result] })],
    });
  }
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema() });
  return Buffer.from(contentInfo.toSchema().toBER());
}

/** A detached CMS SignedData (DER) over `content`: SHA-256, signed attributes incl. ESS signing-certificate-v2. */
export function createDetachedCms(content: Buffer, key: CmsSigningKey, options: CmsSignOptions): Promise<Buffer> {
  return createSignedData(content, key, options);
}

/**
 * The same, with an RFC 3161 signature timestamp (id-aa-signatureTimeStampToken) over the signature value as
 * an unsigned attribute; `timestamp` receives the signature value and returns a token (DER) for it.
 */
export function createDetachedCmsWithTimestamp(
  content: Buffer,
  key: CmsSigningKey,
  options: CmsSignOptions,
  timestamp: (signatureValue: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  return createSignedData(content, key, options, timestamp);
}

// ---- verification ----

export interface CmsVerification {
  valid: boolean;
  problem: string | null;
  /** The certificate that made the signature, when found. */
  signerCertificate: X509Certificate | null;
  signingTime: Date | null;
  /** Time from a valid RFC 3161 signature timestamp, if the signature carries one. */
  timestampedAt: Date | null;
}

/** Reads ContentInfo(SignedData). Trailing bytes (the zero padding of a PDF /Contents) are ignored. */
export function readSignedData(der: Buffer): pkijs.SignedData {
  const contentInfo = pkijs.ContentInfo.fromBER(der);
  if (contentInfo.contentType !== OID.signedData) throw new Error('not a CMS SignedData');
  return new pkijs.SignedData({ schema: contentInfo.content });
}

const firstValue = (attributes: pkijs.SignedAndUnsignedAttributes | undefined, type: string) =>
  attributes?.attributes.find((a) => a.type === type)?.values[0] as asn1js.BaseBlock | undefined;

/** PKI.js's verification failures in the words our callers (and their tests) use. */
function problemOf(outcome: pkijs.SignedDataVerifyResult): string {
  if (outcome.code === 8 || outcome.code === 4)
    return 'the signed content is missing (detached signature without content)';
  if (/Message digest doesn't match/.test(outcome.message))
    return 'digest mismatch: the signed content was changed after signing';
  if (/TSTInfo verification is failed/.test(outcome.message)) return 'the timestamp is for another signature';
  if (outcome.code === 10) return 'the signature has no message-digest attribute';
  if (outcome.code === 9) return 'the signature has no content-type attribute';
  if (outcome.code === 7) return `unsupported digest algorithm (${outcome.message})`;
  if (outcome.signatureVerified === false) return "the signature does not verify with the signer's certificate";
  return `the signature is malformed (${outcome.message})`;
}

/**
 * Checks a detached (or attached) CMS signature with PKI.js: the message digest attribute equals the digest of
 * `content`, the content type attribute matches, the signature over the signed attributes verifies with the
 * embedded signer certificate, and (when given) that certificate is `expectedCertificate`; an RFC 3161
 * signature timestamp, when present, must be a valid token over the signature value. Trust in the certificate
 * (a CA chain) is the caller's business: a pack is checked against the certificate shipped with it.
 */
export async function verifyCms(
  cmsDer: Buffer,
  content: Buffer | null,
  expectedCertificate?: X509Certificate,
): Promise<CmsVerification> {
  const result: CmsVerification = {
    valid: false,
    problem: null,
    signerCertificate: null,
    signingTime: null,
    timestampedAt: null,
  };
  let signedData: pkijs.SignedData;
  try {
    signedData = readSignedData(cmsDer);
  } catch (e) {
    return { ...result, problem: `the signature is not a readable CMS SignedData (${(e as Error).message})` };
  }
  if (signedData.signerInfos.length !== 1)
    return {
      ...result,
      problem: `the signature is malformed (expected one signer, found ${signedData.signerInfos.length})`,
    };
  const outcome = await verifySignedData(signedData, content);
  if (typeof outcome === 'string') return { ...result, problem: outcome };
  try {
    return await checkVerifiedSignature(result, signedData, outcome, expectedCertificate);
  } catch (e) {
    return { ...result, problem: `the signature is malformed (${(e as Error).message})` };
  }
}

/** PKI.js's verification of the one signer over `content`; a string when the signature cannot be checked. */
async function verifySignedData(
  signedData: pkijs.SignedData,
  content: Buffer | null,
): Promise<pkijs.SignedDataVerifyResult | string> {
  try {
    return await signedData.verify(
      { signer: 0, data: content ? arrayBufferOf(content) : undefined, extendedMode: true },
      engine,
    );
  } catch (e) {
    if (!(e instanceof pkijs.SignedDataVerifyError)) return `the signature is malformed (${(e as Error).message})`;
    return e;
  }
}

/**
 * The rest of verifyCms() after PKI.js's verification: the signer certificate (recorded in `result`, and
 * compared with `expectedCertificate`), the outcome, the content-type attribute, the signing time and the
 * signature timestamp.
 */
async function checkVerifiedSignature(
  result: CmsVerification,
  signedData: pkijs.SignedData,
  outcome: pkijs.SignedDataVerifyResult,
  expectedCertificate: X509Certificate | undefined,
): Promise<CmsVerification> {
  const signerInfo = signedData.signerInfos[0];
  if (!outcome.signerCertificate) return { ...result, problem: "the signer's certificate is not in the signature" };
  const cert = new X509Certificate(Buffer.from(outcome.signerCertificate.toSchema().toBER()));
  result.signerCertificate = cert;
  if (expectedCertificate && !cert.raw.equals(expectedCertificate.raw)) {
    return {
      ...result,
      problem: `signed by ${cert.subject.replace(/\n/g, ', ')} (SHA-256 ${fingerprintOf(cert)}), not by the expected certificate (SHA-256 ${fingerprintOf(expectedCertificate)})`,
    };
  }
  if (outcome.code !== 14 || !outcome.signatureVerified) return { ...result, problem: problemOf(outcome) };
  // PKI.js checks that a content-type attribute is there, not what it says.
  const contentType = firstValue(signerInfo.signedAttrs, OID.contentType);
  if (
    signerInfo.signedAttrs &&
    !(
      contentType instanceof asn1js.ObjectIdentifier &&
      contentType.valueBlock.toString() === signedData.encapContentInfo.eContentType
    )
  )
    return { ...result, problem: 'the content-type attribute does not match the signed content type' };
  const signingTime = firstValue(signerInfo.signedAttrs, OID.signingTime);
  if (signingTime instanceof asn1js.UTCTime || signingTime instanceof asn1js.GeneralizedTime)
    result.signingTime = signingTime.toDate();
  const token = firstValue(signerInfo.unsignedAttrs, OID.signatureTimeStampToken);
  if (token) {
    const ts = await verifyTimestampToken(bytesOf(token), Buffer.from(signerInfo.signature.valueBlock.valueHexView));
    if (ts.problem) return { ...result, problem: `signature timestamp: ${ts.problem}` };
    result.timestampedAt = ts.at;
  }
  return { ...result, valid: true };
}

export interface TimestampTokenCheck {
  at: Date | null;
  /** The token's nonce, if it has one. */
  nonce: bigint | null;
  problem: string | null;
}

/**
 * Checks an RFC 3161 TimeStampToken with PKI.js: its own CMS signature (by the TSA certificate embedded in it)
 * and that its message imprint is the hash of `timestampedData`. Trust in the TSA is not decided here.
 */
export async function verifyTimestampToken(tokenDer: Buffer, timestampedData: Buffer): Promise<TimestampTokenCheck> {
  const none = { at: null, nonce: null };
  const cms = await verifyCms(tokenDer, timestampedData);
  if (!cms.valid) return { ...none, problem: cms.problem };
  const signedData = readSignedData(tokenDer);
  const eContent = signedData.encapContentInfo.eContent;
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo || !eContent)
    return { ...none, problem: 'the token holds no TSTInfo' };
  const tstInfo = pkijs.TSTInfo.fromBER(eContent.getValue());
  return { at: tstInfo.genTime, nonce: tstInfo.nonce ? tstInfo.nonce.toBigInt() : null, problem: null };
}

/** SHA-256 fingerprint of a certificate: 64 lowercase hex digits (as `sha256sum` over its DER prints). */
export function fingerprintOf(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}
