// Detached CMS signatures over a file (the pack's manifest.json → manifest.json.sig), checkable with
// `openssl cms -verify -binary -inform DER -in manifest.json.sig -content manifest.json -CAfile cert.pem -purpose any`.
import { X509Certificate } from 'node:crypto';
import { CmsSigningKey, createDetachedCms, verifyCms } from './cms';

/** A detached CMS SignedData (DER) over `data`, with a signing-time attribute. */
export function signDetachedWith(data: Buffer, key: CmsSigningKey, signingTime: Date): Promise<Buffer> {
  return createDetachedCms(data, key, { signingTime });
}

/**
 * Checks a detached signature over `data`. With `certificatePem` the signer must be exactly that certificate
 * (the pack's cert.pem); without it any certificate embedded in the signature is accepted as the signer's.
 */
export async function verifyDetached(
  data: Buffer,
  signatureDer: Buffer,
  certificatePem?: string,
): Promise<{ valid: boolean; problem: string | null }> {
  let expected: X509Certificate | undefined;
  if (certificatePem !== undefined) {
    try {
      expected = new X509Certificate(certificatePem);
    } catch (e) {
      return { valid: false, problem: `the certificate to check against is unreadable (${(e as Error).message})` };
    }
  }
  const result = await verifyCms(signatureDer, data, expected);
  return { valid: result.valid, problem: result.problem };
}
