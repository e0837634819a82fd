// PackSigner with a configured P12 made by openssl, the self-signed fallback's files, and an RFC 3161
// timestamp from a local time-stamp authority (openssl ts -reply behind a loopback HTTP server).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { loadConfig } from '../../config/config';
import { OID, readSignedData } from './cms';
import { PackSigner } from './pack-signer';
import { verifyDetached } from './detached-signature';
import { verifyPdfSignature } from './pdf-signature';
import { timestampRequest, tokenFromResponse } from './timestamp';
import { createHash, randomBytes } from 'node:crypto';

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function smallPdf(): Promise<Buffer> {
  const doc = new PDFDocument();
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.text('pack');
  doc.end();
  return done;
}

describe('PackSigner', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'attest-pack-signer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const signerFor = (env: Record<string, string>) =>
    new PackSigner(loadConfig({ DATA_DIR: join(dir, 'data'), ...env }, dir, dir));

  it('signs with a configured P12 made by openssl (AES-256, SHA-256 MAC)', async () => {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'org.key',
        '-out',
        'org.pem',
        '-days',
        '30',
        '-subj',
        '/C=TH/O=Example Org/CN=Example Org Signing',
      ],
      dir,
    );
    openssl(
      ['pkcs12', '-export', '-inkey', 'org.key', '-in', 'org.pem', '-out', 'org.p12', '-passout', 'pass:p12 s3cret!'],
      dir,
    );
    const signer = signerFor({ SIGNING_P12_FILE: 'org.p12', SIGNING_P12_PASSWORD: 'p12 s3cret!' });
    const cert = signer.certificate();
    const expected = createHash('sha256')
      .update(Buffer.from(readFileSync(join(dir, 'org.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'))
      .digest('hex');
    expect(cert.fingerprintSha256).toBe(expected);
    expect(cert.subject).toBe('CN=Example Org Signing, O=Example Org, C=TH');
    const signed = await signer.signPdf(await smallPdf());
    expect(await verifyPdfSignature(signed)).toMatchObject({
      valid: true,
      totalDocumentSigned: true,
      signerFingerprintSha256: expected,
    });
    const detached = await signer.signDetached(Buffer.from('m'));
    expect(await verifyDetached(Buffer.from('m'), detached, cert.pem)).toEqual({ valid: true, problem: null });
    // The signature value is the last field of this DER (no unsigned attributes): one flipped bit breaks it.
    const broken = Buffer.from(detached);
    broken[broken.length - 1] ^= 0x01;
    expect(await verifyDetached(Buffer.from('m'), broken, cert.pem)).toEqual({
      valid: false,
      problem: "the signature does not verify with the signer's certificate",
    });
    expect((await verifyDetached(Buffer.from('m'), Buffer.from('not DER'), cert.pem)).problem).toMatch(
      /^the signature is not a readable CMS SignedData/,
    );
  });

  it('names the file but never the password when the P12 cannot be opened', () => {
    expect(() =>
      signerFor({ SIGNING_P12_FILE: 'org.p12', SIGNING_P12_PASSWORD: 'wrong-s3cret' }).certificate(),
    ).toThrow(/org\.p12 cannot be opened as PKCS#12 with the configured password/);
    try {
      signerFor({ SIGNING_P12_FILE: 'org.p12', SIGNING_P12_PASSWORD: 'wrong-s3cret' }).certificate();
    } catch (e) {
      expect((e as Error).message).not.toContain('wrong-s3cret');
    }
    expect(() => signerFor({ SIGNING_P12_FILE: 'missing.p12' }).certificate()).toThrow(
      /SIGNING_P12_FILE .*missing\.p12 does not exist/,
    );
  });

  it('creates the self-signed P12 and its password file once; openssl opens it with that password', () => {
    const a = signerFor({ ORGANISATION_NAME: 'Example Clinic' });
    const b = signerFor({ ORGANISATION_NAME: 'Example Clinic' });
    expect(a.certificate().fingerprintSha256).toBe(b.certificate().fingerprintSha256);
    const password = readFileSync(`${a.selfSignedPath}.password`, 'utf8').trim();
    const pem = openssl(
      ['pkcs12', '-in', a.selfSignedPath, '-nokeys', '-clcerts', '-passin', `pass:${password}`],
      dir,
    ).toString();
    expect(pem).toContain(a.certificate().pem.trim().split('\n')[1]);
    expect(a.certificate().subject).toBe('CN=Example Clinic, O=Example Clinic, C=TH');
    expect(new Date(a.certificate().notAfter).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 864e5);
  });

  describe('with TSA_URL: an RFC 3161 signature timestamp from a local TSA', () => {
    let server: Server;
    let url: string;
    let requests = 0;
    beforeAll(async () => {
      const tsa = join(dir, 'tsa');
      execFileSync('mkdir', ['-p', tsa]);
      openssl(
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          'tsa.key',
          '-out',
          'tsa.pem',
          '-days',
          '30',
          '-subj',
          '/CN=Test TSA',
          '-addext',
          'extendedKeyUsage=critical,timeStamping',
          '-addext',
          'keyUsage=critical,digitalSignature',
        ],
        tsa,
      );
      writeFileSync(join(tsa, 'serial'), '01\n');
      writeFileSync(
        join(tsa, 'ts.cnf'),
        `[ tsa ]\ndefault_tsa = t\n[ t ]\ndir = ${tsa}\nserial = $dir/serial\nsigner_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\ness_cert_id_alg = sha256\n`,
      );
      server = createServer((req, res) => {
        const body: Buffer[] = [];
        req.on('data', (c: Buffer) => body.push(c));
        req.on('end', () => {
          requests++;
          const q = join(tsa, `q${requests}.tsq`);
          const r = join(tsa, `r${requests}.tsr`);
          writeFileSync(q, Buffer.concat(body));
          openssl(['ts', '-reply', '-config', join(tsa, 'ts.cnf'), '-queryfile', q, '-out', r], tsa);
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(r));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsr`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('embeds a token that pdfsig accepts, openssl ts -verify checks, and our verifier reports', async () => {
      const signer = signerFor({ TSA_URL: url });
      const signed = await signer.signPdf(await smallPdf());
      expect(requests).toBe(1);
      const path = join(dir, 'timestamped.pdf');
      writeFileSync(path, signed);
      const pdfsig = execFileSync('pdfsig', [path], { encoding: 'utf8' });
      expect(pdfsig).toContain('Signature is Valid');
      expect(pdfsig).toContain('Total document signed');
      const ours = await verifyPdfSignature(signed);
      expect(ours).toMatchObject({ valid: true, totalDocumentSigned: true, problem: null });
      expect(Math.abs(new Date(ours.timestampedAt!).getTime() - Date.now())).toBeLessThan(60_000);

      // Independently: the token is over SHA-256 of the signature value, and openssl ts -verify agrees.
      const hex = /\/Contents\s*<([0-9a-f]+)>/i.exec(signed.toString('latin1'))![1];
      const signerInfo = readSignedData(Buffer.from(hex, 'hex')).signerInfos[0];
      const attr = signerInfo.unsignedAttrs!.attributes.find((a) => a.type === OID.signatureTimeStampToken)!;
      const token = Buffer.from((attr.values[0] as { valueBeforeDecodeView: Uint8Array }).valueBeforeDecodeView);
      writeFileSync(join(dir, 'token.der'), token);
      const digest = createHash('sha256').update(signerInfo.signature.valueBlock.valueHexView).digest('hex');
      const out = openssl(
        ['ts', '-verify', '-token_in', '-in', 'token.der', '-digest', digest, '-CAfile', join(dir, 'tsa', 'tsa.pem')],
        dir,
      ).toString();
      expect(out).toContain('Verification: OK');
    });

    it('refuses a token for another imprint or nonce', async () => {
      const data = randomBytes(64);
      const sha = createHash('sha256').update(data).digest();
      const nonce = randomBytes(12);
      const q = join(dir, 'tsa', 'manual.tsq');
      writeFileSync(q, timestampRequest(sha, nonce));
      openssl(
        [
          'ts',
          '-reply',
          '-config',
          join(dir, 'tsa', 'ts.cnf'),
          '-queryfile',
          q,
          '-out',
          join(dir, 'tsa', 'manual.tsr'),
        ],
        join(dir, 'tsa'),
      );
      const response = readFileSync(join(dir, 'tsa', 'manual.tsr'));
      expect((await tokenFromResponse(response, data, nonce)).length).toBeGreaterThan(500);
      await expect(tokenFromResponse(response, randomBytes(64), nonce)).rejects.toThrow(/for another signature/);
      await expect(tokenFromResponse(response, data, randomBytes(12))).rejects.toThrow(/nonce/);
      expect(response[0]).toBe(0x30);
    });

    it('fails the signing when the TSA cannot be reached', async () => {
      const signer = signerFor({ TSA_URL: 'http://127.0.0.1:9/tsr' });
      await expect(signer.signPdf(await smallPdf())).rejects.toThrow(/cannot reach the time-stamp authority/);
    });
  });
});
