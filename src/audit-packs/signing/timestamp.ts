// RFC 3161 time-stamp client: the request, the HTTP exchange (RFC 3161 section 3.4) and the checks on the
// answer. Used only when TSA_URL is set.
import { randomBytes } from 'node:crypto';
import { booleanValue, children, DerError, integer, nullValue, octetString, oid, readNode, sequence, TAG } from './der';
import { OID, parseSignedData, verifyTimestampToken } from './cms';
import { TimestampError } from './pack-signing.errors';

/** TimeStampReq v1 for a SHA-256 imprint, with a nonce, asking for the TSA certificate in the token. */
export function timestampRequest(sha256: Buffer, nonce: Buffer): Buffer {
  return sequence(
    integer(1),
    sequence(sequence(oid(OID.sha256), nullValue()), octetString(sha256)),
    integer(nonce),
    booleanValue(true),
  );
}

/**
 * The TimeStampToken from a TimeStampResp, after checking: status granted, the token's CMS signature, the
 * imprint is ours and the nonce is the one we sent.
 */
export function tokenFromResponse(responseDer: Buffer, sha256: Buffer, nonce: Buffer): Buffer {
  let parts;
  try {
    parts = children(readNode(responseDer));
  } catch (e) {
    throw new TimestampError(
      `the time-stamp authority answered something that is not a TimeStampResp (${(e as Error).message})`,
    );
  }
  const statusInfo = children(parts[0]);
  const status = statusInfo[0].content.readUIntBE(0, statusInfo[0].content.length);
  if (status !== 0 && status !== 1) {
    const text =
      statusInfo[1]?.tag === TAG.SEQUENCE
        ? children(statusInfo[1])
            .map((s) => s.content.toString('utf8'))
            .join('; ')
        : '';
    throw new TimestampError(
      `the time-stamp authority refused the request (status ${status}${text ? `: ${text}` : ''})`,
    );
  }
  const token = parts[1];
  if (!token) throw new TimestampError('the time-stamp authority granted the request but sent no token');
  const check = verifyTimestampToken(token.raw, sha256);
  if (check.problem) throw new TimestampError(`the time-stamp token does not check out: ${check.problem}`);
  const tst = children(readNode(parseSignedData(token.raw).eContent!));
  // TSTInfo: version, policy, messageImprint, serialNumber, genTime, accuracy?, ordering?, nonce?, ...
  const nonceNode = tst.slice(5).find((n) => n.tag === TAG.INTEGER);
  const expected = readNode(integer(nonce)).content;
  if (!nonceNode || !nonceNode.content.equals(expected))
    throw new TimestampError('the time-stamp token does not carry our nonce');
  return Buffer.from(token.raw);
}

/** Asks the TSA at `url` for a token over `sha256` (HTTP POST application/timestamp-query). */
export async function requestTimestamp(url: string, sha256: Buffer, timeoutMs = 15_000): Promise<Buffer> {
  const nonce = randomBytes(12);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: timestampRequest(sha256, nonce),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new TimestampError(`cannot reach the time-stamp authority ${url} (${(e as Error).message})`);
  }
  if (!response.ok) throw new TimestampError(`the time-stamp authority ${url} answered HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  try {
    return tokenFromResponse(body, sha256, nonce);
  } catch (e) {
    if (e instanceof DerError) throw new TimestampError(`unreadable answer from ${url} (${e.message})`);
    throw e;
  }
}
