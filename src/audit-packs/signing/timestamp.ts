// RFC 3161 time-stamp client: the request, the HTTP exchange (RFC 3161 section 3.4) and the checks on the
// answer, with PKI.js's TimeStampReq/TimeStampResp. Used only when TSA_URL is set.
import * as asn1js from 'asn1js';
import { createHash, randomBytes } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID, verifyTimestampToken } from './cms';
import { TimestampError } from './pack-signing.errors';

const unsigned = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex') || '0'}`);

/** TimeStampReq v1 for a SHA-256 imprint, with a nonce, asking for the TSA certificate in the token. */
export function timestampRequest(sha256: Buffer, nonce: Buffer): Buffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(sha256).buffer }),
    }),
    nonce: asn1js.Integer.fromBigInt(unsigned(nonce)),
    certReq: true,
  });
  return Buffer.from(request.toSchema().toBER());
}

/**
 * The TimeStampToken (DER, as the TSA sent it) from a TimeStampResp, after checking: status granted, the
 * token's CMS signature, the imprint is the hash of `timestampedData` and the nonce is the one we sent.
 */
export async function tokenFromResponse(responseDer: Buffer, timestampedData: Buffer, nonce: Buffer): Promise<Buffer> {
  let response: pkijs.TimeStampResp;
  let tokenBlock: asn1js.BaseBlock | undefined;
  try {
    const asn1 = asn1js.fromBER(new Uint8Array(responseDer));
    if (asn1.offset === -1) throw new Error(asn1.result.error);
    response = new pkijs.TimeStampResp({ schema: asn1.result });
    tokenBlock = (asn1.result as asn1js.Sequence).valueBlock.value[1];
  } catch (e) {
    throw new TimestampError(
      `the time-stamp authority answered something that is not a TimeStampResp (${(e as Error).message})`,
    );
  }
  const status = response.status.status as number;
  if (status !== 0 && status !== 1) {
    const text = (response.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
    throw new TimestampError(
      `the time-stamp authority refused the request (status ${status}${text ? `: ${text}` : ''})`,
    );
  }
  if (!response.timeStampToken || !tokenBlock)
    throw new TimestampError('the time-stamp authority granted the request but sent no token');
  const token = Buffer.from(tokenBlock.valueBeforeDecodeView);
  const check = await verifyTimestampToken(token, timestampedData);
  if (check.problem) throw new TimestampError(`the time-stamp token does not check out: ${check.problem}`);
  if (check.nonce !== unsigned(nonce)) throw new TimestampError('the time-stamp token does not carry our nonce');
  return token;
}

/** Asks the TSA at `url` for a token over `data` (its SHA-256; HTTP POST application/timestamp-query). */
export async function requestTimestamp(url: string, data: Buffer, timeoutMs = 15_000): Promise<Buffer> {
  const nonce = randomBytes(12);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: timestampRequest(createHash('sha256').update(data).digest(), nonce),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new TimestampError(`cannot reach the time-stamp authority ${url} (${(e as Error).message})`);
  }
  if (!response.ok) throw new TimestampError(`the time-stamp authority ${url} answered HTTP ${response.status}`);
  return tokenFromResponse(Buffer.from(await response.arrayBuffer()), data, nonce);
}
