// CMS SignedData (RFC 5652), detached, built and checked byte by byte with node:crypto doing the
// cryptography. Why not node-forge's pkcs7: it cannot add the ESS signing-certificate-v2 attribute that
// PAdES baseline (ETSI EN 319 142-1, B-B) requires, cannot carry an unsigned RFC 3161 timestamp, and its
// verify() is not implemented. Pure functions: no Nest, no files.
import {
  createHash,
  createPublicKey,
  KeyObject,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate,
} from 'node:crypto';
import {
  children,
  context,
  DerError,
  DerNode,
  expectTag,
  integer,
  nullValue,
  octetString,
  oid,
  readNode,
  readOid,
  readTime,
  sequence,
  setOf,
  signingTimeValue,
  TAG,
  tlv,
} from './der';

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
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
} as const;

const DIGESTS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Signature algorithm OID → the hash it implies (null: the digest algorithm of the signer info decides). */
const SIGNATURE_ALGORITHMS: Record<string, { hash: 'sha256' | 'sha384' | 'sha512' | null; family: 'rsa' | 'ec' }> = {
  [OID.rsaEncryption]: { hash: null, family: 'rsa' },
  [OID.sha256WithRSAEncryption]: { hash: 'sha256', family: 'rsa' },
  [OID.sha384WithRSAEncryption]: { hash: 'sha384', family: 'rsa' },
  [OID.sha512WithRSAEncryption]: { hash: 'sha512', family: 'rsa' },
  [OID.ecdsaWithSHA256]: { hash: 'sha256', family: 'ec' },
  [OID.ecdsaWithSHA384]: { hash: 'sha384', family: 'ec' },
  [OID.ecdsaWithSHA512]: { hash: 'sha512', family: 'ec' },
};

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

const algorithmIdentifier = (dotted: string, withNull = true): Buffer =>
  sequence(oid(dotted), ...(withNull ? [nullValue()] : []));
const attribute = (type: string, value: Buffer): Buffer => sequence(oid(type), setOf([value]));

/** Issuer Name and serial number of a certificate, as encoded in it. */
export function certificateIssuerAndSerial(certificateDer: Buffer): { issuer: Buffer; serial: Buffer } {
  const tbs = children(readNode(certificateDer))[0];
  const fields = children(expectTag(tbs, TAG.SEQUENCE, 'tbsCertificate'));
  const offset = fields[0].tag === context(0) ? 1 : 0; // [0] version is optional (v1)
  return {
    serial: expectTag(fields[offset], TAG.INTEGER, 'serialNumber').raw,
    issuer: expectTag(fields[offset + 2], TAG.SEQUENCE, 'issuer').raw,
  };
}

function signatureAlgorithmFor(key: KeyObject): { oid: string; withNull: boolean } {
  if (key.asymmetricKeyType === 'rsa') return { oid: OID.sha256WithRSAEncryption, withNull: true };
  if (key.asymmetricKeyType === 'ec') return { oid: OID.ecdsaWithSHA256, withNull: false };
  throw new Error(`a ${key.asymmetricKeyType} key cannot sign packs: use an RSA or EC key`);
}

/** The signed attributes (as the SET that is signed) and the signature over them. */
function signAttributes(
  content: Buffer,
  key: CmsSigningKey,
  options: CmsSignOptions,
): { signedAttributes: Buffer; signature: Buffer } {
  const { issuer, serial } = certificateIssuerAndSerial(key.certificateDer);
  // ESS signing-certificate-v2 (RFC 5035): hashAlgorithm left at its DEFAULT (sha256), with issuerSerial.
  const essCertIdV2 = sequence(
    octetString(createHash('sha256').update(key.certificateDer).digest()),
    sequence(sequence(tlv(context(4), issuer)), serial),
  );
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    ...(options.signingTime ? [attribute(OID.signingTime, signingTimeValue(options.signingTime))] : []),
    attribute(OID.messageDigest, octetString(createHash('sha256').update(content).digest())),
    attribute(OID.signingCertificateV2, sequence(sequence(essCertIdV2))),
  ];
  const signedAttributes = setOf(attributes);
  const signature = cryptoSign('sha256', signedAttributes, key.privateKey);
  return { signedAttributes, signature };
}

function assemble(
  key: CmsSigningKey,
  signedAttributes: Buffer,
  signature: Buffer,
  unsignedAttributes: Buffer[],
): Buffer {
  const { issuer, serial } = certificateIssuerAndSerial(key.certificateDer);
  const sigAlg = signatureAlgorithmFor(key.privateKey);
  const signerInfo = sequence(
    integer(1),
    sequence(issuer, serial),
    algorithmIdentifier(OID.sha256),
    // [0] IMPLICIT SET OF Attribute: the same bytes as the signed SET, tag changed.
    Buffer.concat([Buffer.from([context(0)]), signedAttributes.subarray(1)]),
    algorithmIdentifier(sigAlg.oid, sigAlg.withNull),
    octetString(signature),
    ...(unsignedAttributes.length > 0 ? [setOf(unsignedAttributes, context(1))] : []),
  );
  const signedData = sequence(
    integer(1),
    setOf([algorithmIdentifier(OID.sha256)]),
    sequence(oid(OID.data)), // detached: no eContent
    tlv(context(0), Buffer.concat([key.certificateDer, ...(key.chainDer ?? [])])),
    setOf([signerInfo]),
  );
  return sequence(oid(OID.signedData), tlv(context(0), signedData));
}

/** A detached CMS SignedData (DER) over `content`: SHA-256, signed attributes incl. ESS signing-certificate-v2. */
export function createDetachedCms(content: Buffer, key: CmsSigningKey, options: CmsSignOptions): Buffer {
  const { signedAttributes, signature } = signAttributes(content, key, options);
  return assemble(key, signedAttributes, signature, []);
}

/**
 * The same, with an RFC 3161 signature timestamp (id-aa-signatureTimeStampToken) over the signature value as
 * an unsigned attribute; `timestamp` receives the SHA-256 of the signature value and returns the token (DER).
 */
export async function createDetachedCmsWithTimestamp(
  content: Buffer,
  key: CmsSigningKey,
  options: CmsSignOptions,
  timestamp: (signatureSha256: Buffer) => Promise<Buffer>,
): Promise<Buffer> {
  const { signedAttributes, signature } = signAttributes(content, key, options);
  const token = await timestamp(createHash('sha256').update(signature).digest());
  return assemble(key, signedAttributes, signature, [attribute(OID.signatureTimeStampToken, token)]);
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

interface ParsedSignedData {
  eContentType: string;
  eContent: Buffer | null;
  certificates: Buffer[];
  signerInfo: {
    sid: { issuer: Buffer; serial: Buffer } | { subjectKeyIdentifier: Buffer };
    digestAlgorithm: string;
    signedAttributes: DerNode | null;
    signatureAlgorithm: string;
    signature: Buffer;
    unsignedAttributes: DerNode | null;
  };
}

/** Parses ContentInfo(SignedData). Trailing bytes (the zero padding of a PDF /Contents) are ignored. */
export function parseSignedData(der: Buffer): ParsedSignedData {
  const contentInfo = children(expectTag(readNode(der), TAG.SEQUENCE, 'ContentInfo'));
  if (readOid(contentInfo[0]) !== OID.signedData) throw new DerError('not a CMS SignedData');
  const signedData = children(
    expectTag(children(expectTag(contentInfo[1], context(0), 'content'))[0], TAG.SEQUENCE, 'SignedData'),
  );
  let i = 2;
  const encap = children(expectTag(signedData[i++], TAG.SEQUENCE, 'encapContentInfo'));
  const eContentType = readOid(encap[0]);
  let eContent: Buffer | null = null;
  if (encap[1]) {
    const inner = children(expectTag(encap[1], context(0), 'eContent'))[0];
    // DER: one OCTET STRING; BER producers may split it into constructed chunks.
    eContent = inner.tag === TAG.OCTET_STRING ? inner.content : Buffer.concat(children(inner).map((c) => c.content));
  }
  const certificates: Buffer[] = [];
  if (signedData[i]?.tag === context(0)) {
    for (const c of children(signedData[i++])) if (c.tag === TAG.SEQUENCE) certificates.push(c.raw);
  }
  if (signedData[i]?.tag === context(1)) i++; // crls
  const signerInfos = children(expectTag(signedData[i], TAG.SET, 'signerInfos'));
  if (signerInfos.length !== 1) throw new DerError(`expected one signer, found ${signerInfos.length}`);
  const si = children(expectTag(signerInfos[0], TAG.SEQUENCE, 'SignerInfo'));
  let j = 1;
  const sidNode = si[j++];
  let sid: ParsedSignedData['signerInfo']['sid'];
  if (sidNode.tag === TAG.SEQUENCE) {
    const [issuer, serial] = children(sidNode);
    sid = { issuer: issuer.raw, serial: serial.raw };
  } else if (sidNode.tag === context(0, false)) sid = { subjectKeyIdentifier: sidNode.content };
  else throw new DerError('unknown signer identifier');
  const digestAlgorithm = readOid(children(si[j++])[0]);
  const signedAttributes = si[j]?.tag === context(0) ? si[j++] : null;
  const signatureAlgorithm = readOid(children(si[j++])[0]);
  const signature = expectTag(si[j++], TAG.OCTET_STRING, 'signature').content;
  const unsignedAttributes = si[j]?.tag === context(1) ? si[j++] : null;
  return {
    eContentType,
    eContent,
    certificates,
    signerInfo: { sid, digestAlgorithm, signedAttributes, signatureAlgorithm, signature, unsignedAttributes },
  };
}

function attributesOf(node: DerNode | null): Map<string, DerNode[]> {
  const out = new Map<string, DerNode[]>();
  if (!node) return out;
  for (const a of children(node)) {
    const [type, values] = children(a);
    out.set(readOid(type), children(values));
  }
  return out;
}

/** The subjectKeyIdentifier extension's key id, if the certificate has one. */
function subjectKeyIdentifierOf(certificateDer: Buffer): Buffer | null {
  const tbs = children(children(readNode(certificateDer))[0]);
  const extensions = tbs.find((n) => n.tag === context(3));
  if (!extensions) return null;
  for (const ext of children(children(extensions)[0])) {
    const parts = children(ext);
    if (readOid(parts[0]) === '2.5.29.14') return readNode(parts[parts.length - 1].content).content;
  }
  return null;
}

function findSignerCertificate(parsed: ParsedSignedData): Buffer | null {
  const sid = parsed.signerInfo.sid;
  for (const der of parsed.certificates) {
    try {
      if ('issuer' in sid) {
        const { issuer, serial } = certificateIssuerAndSerial(der);
        if (issuer.equals(sid.issuer) && serial.equals(sid.serial)) return der;
      } else if (subjectKeyIdentifierOf(der)?.equals(sid.subjectKeyIdentifier)) {
        return der;
      }
    } catch {
      // an unreadable certificate cannot be the signer's
    }
  }
  return null;
}

/**
 * Checks a detached (or attached) CMS signature: the message digest attribute equals the digest of `content`,
 * the content type attribute matches, the signature over the signed attributes verifies with the embedded
 * signer certificate, and (when given) that certificate is `expectedCertificate`. Trust in the certificate
 * (a CA chain) is the caller's business: a pack is checked against the certificate shipped with it.
 */
export function verifyCms(
  cmsDer: Buffer,
  content: Buffer | null,
  expectedCertificate?: X509Certificate,
): CmsVerification {
  const result: CmsVerification = {
    valid: false,
    problem: null,
    signerCertificate: null,
    signingTime: null,
    timestampedAt: null,
  };
  let parsed: ParsedSignedData;
  try {
    parsed = parseSignedData(cmsDer);
  } catch (e) {
    return { ...result, problem: `the signature is not a readable CMS SignedData (${(e as Error).message})` };
  }
  try {
    const signed = content ?? parsed.eContent;
    if (!signed) return { ...result, problem: 'the signed content is missing (detached signature without content)' };
    const hash = DIGESTS[parsed.signerInfo.digestAlgorithm];
    if (!hash) return { ...result, problem: `unsupported digest algorithm ${parsed.signerInfo.digestAlgorithm}` };
    const sigAlg = SIGNATURE_ALGORITHMS[parsed.signerInfo.signatureAlgorithm];
    if (!sigAlg)
      return { ...result, problem: `unsupported signature algorithm ${parsed.signerInfo.signatureAlgorithm}` };
    const certDer = findSignerCertificate(parsed);
    if (!certDer) return { ...result, problem: "the signer's certificate is not in the signature" };
    const cert = new X509Certificate(certDer);
    result.signerCertificate = cert;
    if (expectedCertificate && !cert.raw.equals(expectedCertificate.raw)) {
      return {
        ...result,
        problem: `signed by ${cert.subject.replace(/\n/g, ', ')} (SHA-256 ${fingerprintOf(cert)}), not by the expected certificate (SHA-256 ${fingerprintOf(expectedCertificate)})`,
      };
    }
    const digest = createHash(hash).update(signed).digest();
    let signedBytes: Buffer;
    if (parsed.signerInfo.signedAttributes) {
      const attrs = attributesOf(parsed.signerInfo.signedAttributes);
      const md = attrs.get(OID.messageDigest)?.[0];
      if (!md) return { ...result, problem: 'the signature has no message-digest attribute' };
      if (!md.content.equals(digest))
        return { ...result, problem: 'digest mismatch: the signed content was changed after signing' };
      const ct = attrs.get(OID.contentType)?.[0];
      if (!ct || readOid(ct) !== parsed.eContentType)
        return { ...result, problem: 'the content-type attribute does not match the signed content type' };
      const st = attrs.get(OID.signingTime)?.[0];
      if (st) result.signingTime = readTime(st);
      // What was signed is the SET OF encoding of the attributes (RFC 5652 5.4), i.e. the [0] bytes re-tagged.
      signedBytes = Buffer.concat([Buffer.from([TAG.SET]), parsed.signerInfo.signedAttributes.raw.subarray(1)]);
    } else {
      signedBytes = signed;
    }
    const publicKey = createPublicKey(cert.publicKey.export({ format: 'pem', type: 'spki' }));
    const keyFamily =
      publicKey.asymmetricKeyType === 'rsa' ? 'rsa' : publicKey.asymmetricKeyType === 'ec' ? 'ec' : null;
    if (keyFamily !== sigAlg.family)
      return {
        ...result,
        problem: `the signature algorithm does not fit the certificate's ${publicKey.asymmetricKeyType} key`,
      };
    const ok = cryptoVerify(sigAlg.hash ?? hash, signedBytes, publicKey, parsed.signerInfo.signature);
    if (!ok) return { ...result, problem: "the signature does not verify with the signer's certificate" };
    const tokens = attributesOf(parsed.signerInfo.unsignedAttributes).get(OID.signatureTimeStampToken);
    if (tokens?.[0]) {
      const ts = verifyTimestampToken(tokens[0].raw, createHash('sha256').update(parsed.signerInfo.signature).digest());
      if (ts.problem) return { ...result, problem: `signature timestamp: ${ts.problem}` };
      result.timestampedAt = ts.at;
    }
    return { ...result, valid: true };
  } catch (e) {
    return { ...result, problem: `the signature is malformed (${(e as Error).message})` };
  }
}

/**
 * Checks an RFC 3161 TimeStampToken: its own CMS signature (by the TSA certificate embedded in it) and that its
 * message imprint is the SHA-256 `expectedSha256Imprint` (we request SHA-256 imprints). Trust in the TSA is
 * not decided here.
 */
export function verifyTimestampToken(
  tokenDer: Buffer,
  expectedSha256Imprint: Buffer,
): { at: Date | null; problem: string | null } {
  const cms = verifyCms(tokenDer, null);
  if (!cms.valid) return { at: null, problem: cms.problem };
  const parsed = parseSignedData(tokenDer);
  if (parsed.eContentType !== OID.tstInfo || !parsed.eContent)
    return { at: null, problem: 'the token holds no TSTInfo' };
  const tst = children(readNode(parsed.eContent));
  // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, ... }
  const [hashAlg, hashed] = children(tst[2]);
  const alg = readOid(children(hashAlg)[0]);
  if (alg !== OID.sha256) return { at: null, problem: `the timestamp imprint uses ${alg}, not SHA-256` };
  if (!hashed.content.equals(expectedSha256Imprint))
    return { at: null, problem: 'the timestamp is for another signature' };
  return { at: readTime(tst[4]), problem: null };
}

/** SHA-256 fingerprint of a certificate: 64 lowercase hex digits (as `sha256sum` over its DER prints). */
export function fingerprintOf(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}
