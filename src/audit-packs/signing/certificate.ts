// PKCS#12 in and out (node-forge: Node's crypto cannot read or write PKCS#12), and the facts a pack shows
// about its signer's certificate. Pure functions: no Nest, no files.
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import type * as Forge from 'node-forge';
import { lazyModule } from '../../common/lazy-module';
import type { CmsSigningKey } from './cms';
import { PackCertificateError } from './pack-signing.errors';

export interface CertificateInfo {
  pem: string;
  der: Buffer;
  /** SHA-256 over the DER: 64 lowercase hex digits. */
  fingerprintSha256: string;
  /** Distinguished name in RFC 4514 order (most specific first), e.g. "CN=Acme, O=Acme, C=TH". */
  subject: string;
  /** ISO 8601 UTC. */
  notAfter: string;
  selfSigned: boolean;
}

/** node-forge (PKCS#12) loads with the first certificate read or made, not at start-up. */
const nodeForge = lazyModule<typeof Forge>('node-forge');
/**
 * A self-signed RSA-3072 signing certificate (CN = organisation, O = organisation, C = TH; digitalSignature +
 * nonRepudiation; valid 10 years) packed as PKCS#12 under `password` (PBES2/AES-256, SHA-256 MAC).
 */
export function createSelfSignedP12(opts: {
  organisation: string;
  password: string;
  now?: Date;
  years?: number;
}): Buffer {
  const forge = nodeForge();
  const now = opts.now ?? new Date();
  // Node generates the key (OpenSSL, ~100 ms); forge's pure-JS RSA-3072 generation takes seconds.
  const { privateKey: pem } = generateKeyPairSync('rsa', {
    modulusLength: 3072,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(pem) as Forge.pki.rsa.PrivateKey;
  const keys = { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // Positive 16-byte serial (RFC 5280: at most 20 octets, positive).
  cert.serialNumber = '40' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setUTCFullYear(cert.validity.notAfter.getUTCFullYear() + (opts.years ?? 10));
  const name = opts.organisation.slice(0, 64); // X.520 upper bound for CN and O
  const attrs = [
    { name: 'countryName', value: 'TH' },
    { name: 'organizationName', value: name, valueTagClass: forge.asn1.Type.UTF8 },
    { name: 'commonName', value: name, valueTagClass: forge.asn1.Type.UTF8 },
  ];
  cert.setSubject(attrs as Forge.pki.CertificateField[]);
  cert.setIssuer(attrs as Forge.pki.CertificateField[]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], opts.password, {
    algorithm: 'aes256',
    friendlyName: 'Attest pack signing',
    generateLocalKeyId: true,
  } as Parameters<typeof forge.pkcs12.toPkcs12Asn1>[3]);
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/** Reads the private key and its certificate (plus any other certificates, as the chain) from PKCS#12. */
export function readP12(p12: Buffer, password: string, source: string): CmsSigningKey {
  const forge = nodeForge();
  let parsed: Forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), false, password);
  } catch (e) {
    throw new PackCertificateError(
      `${source} cannot be opened as PKCS#12 with the configured password (${(e as Error).message}); RSA keys only`,
    );
  }
  const keyBags = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const key = keyBags.find((b) => b.key)?.key as Forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new PackCertificateError(`${source} holds no private key that can be read (RSA keys only)`);
  const certs = (parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((b) => b.cert)
    .filter((c): c is Forge.pki.Certificate => !!c);
  const own = certs.find((c) => {
    const pub = c.publicKey as Forge.pki.rsa.PublicKey;
    return pub.n?.equals(key.n) && pub.e?.equals(key.e);
  });
  if (!own) throw new PackCertificateError(`${source} holds no certificate for its private key`);
  const toDer = (c: Forge.pki.Certificate) =>
    Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), 'binary');
  return {
    privateKey: createPrivateKey(forge.pki.privateKeyToPem(key)),
    certificateDer: toDer(own),
    chainDer: certs.filter((c) => c !== own).map(toDer),
  };
}

export function describeCertificate(der: Buffer): CertificateInfo {
  const cert = new X509Certificate(der);
  return {
    pem: cert.toString(),
    der: Buffer.from(cert.raw),
    fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
    subject: cert.subject.split('\n').reverse().join(', '),
    notAfter: new Date(cert.validTo).toISOString(),
    // Not checkIssued(): OpenSSL's issuer check wants keyCertSign, which a signing certificate lacks.
    selfSigned: cert.subject === cert.issuer && cert.verify(cert.publicKey),
  };
}
