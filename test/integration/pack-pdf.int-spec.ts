// The audit-pack PDF end to end: render a realistic model (Thai and Latin, 64 requirements, many evidence
// files), sign it with the PackSigner, and check the result with the real tools an auditor uses — poppler's
// pdfsig, pdftotext and pdfdetach, and openssl cms — and with our own Node verifiers, which must agree.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { renderPackPdf } from '../../src/audit-packs/pdf/render-pack-pdf';
import { PackSigner } from '../../src/audit-packs/signing/pack-signer';
import { verifyPdfSignature } from '../../src/audit-packs/signing/pdf-signature';
import { verifyDetached } from '../../src/audit-packs/signing/detached-signature';
import { packModelFixture, THAI_SENTENCE, THAI_WORDS } from '../fixtures/pack-model';
import { LATE_REASON } from '../fixtures/pack-incidents';

const ROOT = join(__dirname, '..', '..');

function tool(command: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error)
    throw new Error(`${command} is not installed (apt-get install -y poppler-utils openssl): ${r.error.message}`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('audit-pack PDF: render, sign, verify with poppler and openssl', () => {
  let dir: string;
  let signer: PackSigner;
  let signed: Buffer;
  let signedPath: string;
  const manifest = Buffer.from(
    JSON.stringify(
      { generator: 'attest 0.1.0', files: [{ path: 'evidence/CTL-001/x.pdf', sha256: 'ab'.repeat(32), size: 3 }] },
      null,
      2,
    ),
  );
  const model = packModelFixture();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-pack-pdf-'));
    signer = new PackSigner(loadConfig({ DATA_DIR: dir, ORGANISATION_NAME: 'บริษัท ตัวอย่าง จำกัด' }, dir, ROOT));
    const cert = signer.certificate();
    model.signer = { subject: cert.subject, fingerprintSha256: cert.fingerprintSha256, selfSigned: cert.selfSigned };
    const pdf = await renderPackPdf(model, {
      templatesDir: join(ROOT, 'templates'),
      attachments: [
        {
          name: 'manifest.json',
          data: manifest,
          mediaType: 'application/json',
          description: 'Every file in the pack with its SHA-256',
        },
      ],
    });
    signed = await signer.signPdf(pdf);
    signedPath = join(dir, 'pack.pdf');
    writeFileSync(signedPath, signed);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the self-signed certificate once, 0600, for ORGANISATION_NAME', () => {
    const cert = signer.certificate();
    expect(cert.subject).toBe('CN=บริษัท ตัวอย่าง จำกัด, O=บริษัท ตัวอย่าง จำกัด, C=TH');
    expect(cert.selfSigned).toBe(true);
    expect(cert.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    for (const f of ['pack-signing.p12', 'pack-signing.p12.password'])
      expect(statSync(join(dir, 'keys', f)).mode & 0o777).toBe(0o600);
    const again = new PackSigner(loadConfig({ DATA_DIR: dir }, dir, ROOT));
    expect(again.certificate().fingerprintSha256).toBe(cert.fingerprintSha256);
  });

  it('is signed, valid and totally signed by pdfsig; our verifier agrees', async () => {
    const r = tool('pdfsig', [signedPath]);
    expect(r.out).toContain('Signature Type: ETSI.CAdES.detached');
    expect(r.out).toContain('Signature is Valid');
    expect(r.out).toContain('Total document signed');
    expect(await verifyPdfSignature(signed)).toEqual({
      valid: true,
      totalDocumentSigned: true,
      signerFingerprintSha256: signer.certificate().fingerprintSha256,
      problem: null,
      timestampedAt: null,
    });
  });

  it('with bytes appended: pdfsig and our verifier say valid but not total', async () => {
    const appended = Buffer.concat([signed, Buffer.from('\n% appended after signing\n')]);
    const path = join(dir, 'appended.pdf');
    writeFileSync(path, appended);
    const r = tool('pdfsig', [path]);
    expect(r.out).toContain('Signature is Valid');
    expect(r.out).toContain('Not total document signed');
    const ours = await verifyPdfSignature(appended);
    expect(ours.valid).toBe(true);
    expect(ours.totalDocumentSigned).toBe(false);
    expect(ours.problem).toMatch(/bytes were added after the signature/);
  });

  it('with one byte flipped inside the signed range: pdfsig and our verifier say invalid', async () => {
    const flipped = Buffer.from(signed);
    const at = Math.floor(signed.indexOf('/ByteRange') / 2); // well inside the first signed range
    flipped[at] ^= 0x01;
    const path = join(dir, 'flipped.pdf');
    writeFileSync(path, flipped);
    const r = tool('pdfsig', [path]);
    expect(r.out).not.toContain('Signature is Valid');
    expect(r.out).toMatch(/Digest Mismatch|Signature is Invalid/);
    const ours = await verifyPdfSignature(flipped);
    expect(ours.valid).toBe(false);
    expect(ours.problem).toMatch(/digest mismatch/);
  });

  it('our verifier rejects a file without a signature and a signature moved off /Contents', async () => {
    expect(await verifyPdfSignature(Buffer.from('%PDF-1.3\n%%EOF\n'))).toMatchObject({
      valid: false,
      problem: 'the PDF has no signature',
    });
    const tampered = Buffer.from(
      signed
        .toString('latin1')
        .replace(/\/ByteRange \[0 (\d+) (\d+) (\d+)\]/, (_, b, c, d) =>
          `/ByteRange [0 ${Number(b) - 2} ${c} ${d}]`.padEnd(_.length, ' '),
        ),
      'latin1',
    );
    expect((await verifyPdfSignature(tampered)).valid).toBe(false);
  });

  it('pdftotext finds every requirement ref, the Thai text whole and in order, and the page numbers', () => {
    const text = execFileSync('pdftotext', ['-raw', signedPath, '-'], { encoding: 'utf8' });
    for (const r of model.requirements) expect(text).toContain(r.ref);
    for (const word of THAI_WORDS) expect(text).toContain(word);
    expect(text).toContain('บริษัท ตัวอย่าง เฮลท์แคร์ จำกัด'); // SARA AM reads back as one character
    // The unspaced Thai sentence is wrapped at word boundaries only: joined back it is whole and in order,
    // and every line break falls between two of Intl.Segmenter's words.
    const joined = text.replace(/\n/g, '');
    expect(joined).toContain(THAI_SENTENCE);
    const boundaries = new Set<number>();
    let at = 0;
    for (const { segment } of new Intl.Segmenter('th', { granularity: 'word' }).segment(THAI_SENTENCE))
      boundaries.add((at += segment.length));
    const lines = text.split('\n');
    const breaks: number[] = [];
    lines.forEach((line, n) => {
      for (let k = THAI_SENTENCE.length - 1; k >= 4; k--) {
        if (
          line.endsWith(THAI_SENTENCE.slice(0, k)) &&
          (lines[n + 1] ?? '').startsWith(THAI_SENTENCE.slice(k, k + 4))
        ) {
          breaks.push(k);
          break;
        }
      }
    });
    expect(breaks.length).toBeGreaterThan(0); // the sentence is wider than its table cell: it does wrap
    for (const k of breaks) expect(boundaries.has(k)).toBe(true);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [signedPath], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThan(10);
    for (let p = 2; p <= pages; p++) expect(text).toContain(`Page ${p} of ${pages}`);
    expect(text).not.toContain(`Page 1 of ${pages}`); // the cover has none
    expect(text).toContain(model.signer.fingerprintSha256);
    for (const f of model.controls[0].evidence[0].files) expect(text).toContain(f.sha256);
    expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/); // bidi overrides in the fixture were stripped
  });

  it('has the Incidents section: the counts, each incident, clock and CAPA row, late reasons, no person', () => {
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', signedPath, '-'], { encoding: 'utf8' });
    const section = text.slice(text.lastIndexOf('Incidents aware in the period'), text.lastIndexOf('Audit trail'));
    const flat = text.slice(text.lastIndexOf('Incidents the company became aware of')).replace(/\s+/g, ' ');
    expect(flat).toContain("are stated as of the period's end (2026-06-30 24:00 ICT)");
    expect(flat).toContain('By peak severity SEV2 2 · SEV3 1 · SEV1 1 · SEV4 1');
    expect(flat).toContain('PDPC Office breach notices 1 of 2 in time (1 late, 0 overdue); 1 still running');
    expect(flat).toContain('Data subjects told (high risk) 1 of 1 in time (0 late, 0 overdue); 0 still running');
    expect(flat).toContain('Thai FDA reports 2 of 2 in time (0 late, 0 overdue); 0 still running');
    expect(flat).toContain('Severity SLAs 5 of 6 in time (1 late, 0 overdue); 2 still running');
    expect(flat).toContain('Corrective actions (CAPA) 2 open (1 overdue), 1 done, 1 accepted');
    expect(flat).toContain(LATE_REASON);
    // Categories and roles in the pages' words, never the keys.
    expect(flat).toContain(
      'By category personal-data breach 3 · security 1 · clinical safety / adverse event 1 · availability 1',
    );
    expect(flat).not.toMatch(/personal_data_breach|clinical_safety|control_owner/);
    expect(flat).toContain('control owner');
    // Status and closed-at at the period's end: INC-0004, closed after it (before the build), was in detection.
    const row = (ref: string) => flat.split(/(?=INC-\d{4} )/).find((r) => r.startsWith(`${ref} API error`))!;
    expect(row('INC-0004')).toMatch(/ availability control owner detect 2026-06-30 17:00 ICT — $/);
    expect(flat).toContain('Status and closed-at are stated then too: an incident closed later is shown at the stage');
    // The counts are tallies of the rows: one table row per owed clock, each starting with its incident ref.
    const refs = model.incidents!.incidents.map((i) => i.ref);
    for (const ref of refs) expect(section).toContain(ref);
    const rowsOf = (ref: string) => section.split('\n').filter((l) => l.startsWith(`${ref} `)).length;
    const perIncident = refs.map((ref) => 1 + model.incidents!.clocks.filter((c) => c.ref === ref).length);
    const capasOf = refs.map((ref) => model.incidents!.capas.filter((c) => c.ref === ref).length);
    expect(refs.map(rowsOf)).toEqual(perIncident.map((n, k) => n + capasOf[k]));
    expect(section).not.toContain('11111111-1111-4111-8111-111111111111');
  });

  it('the contents list each section with the page it starts on', () => {
    const contents = execFileSync('pdftotext', ['-layout', '-f', '2', '-l', '2', signedPath, '-'], {
      encoding: 'utf8',
    });
    const evidencePage = Number(/Evidence index[ .]*?(\d+)\s*$/m.exec(contents)![1]);
    const page = execFileSync(
      'pdftotext',
      ['-raw', '-f', String(evidencePage), '-l', String(evidencePage), signedPath, '-'],
      { encoding: 'utf8' },
    );
    expect(page).toContain('Evidence index');
  });

  it('a pack of hundreds of evidence items, over many pages: every item and digest in order, pages numbered, signed', async () => {
    // Long enough that pdfkit's word cache is emptied several times (PdfWriter, every 32 pages) and the
    // first, measure-only pass must agree with the drawing one on every page break.
    const big = packModelFixture({ controls: 40, evidencePerControl: 20 });
    big.signer = model.signer;
    const pdf = await signer.signPdf(await renderPackPdf(big, { templatesDir: join(ROOT, 'templates') }));
    const path = join(dir, 'big.pdf');
    writeFileSync(path, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThan(70);
    const text = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
    for (let p = 2; p <= pages; p++) expect(text).toContain(`Page ${p} of ${pages}`);
    const evidence = text.slice(text.indexOf('Evidence index', text.indexOf('Evidence index') + 1));
    const digests = big.controls.flatMap((c) => c.evidence.flatMap((e) => e.files.map((f) => `SHA-256 ${f.sha256}`)));
    expect(digests.length).toBeGreaterThan(1000);
    let at = 0;
    for (const d of digests) {
      const found = evidence.indexOf(d, at);
      expect(found).toBeGreaterThan(at - 1); // present, and after the one before it
      at = found + d.length;
    }
    for (const c of big.controls) expect(evidence).toContain(c.key);
    const r = tool('pdfsig', [path]);
    expect(r.out).toContain('Signature is Valid');
    expect(r.out).toContain('Total document signed');
  });

  it('embeds manifest.json (pdfdetach lists and extracts it byte for byte)', () => {
    expect(tool('pdfdetach', ['-list', signedPath]).out).toMatch(/1: manifest\.json/);
    const out = join(dir, 'extracted.json');
    execFileSync('pdfdetach', ['-save', '1', '-o', out, signedPath]);
    expect(readFileSync(out).equals(manifest)).toBe(true);
  });

  it('signDetached: openssl cms -verify accepts it; our verifier agrees on valid, changed and foreign', async () => {
    const sig = await signer.signDetached(manifest);
    const paths = {
      content: join(dir, 'manifest.json'),
      sig: join(dir, 'manifest.json.sig'),
      cert: join(dir, 'cert.pem'),
      changed: join(dir, 'changed.json'),
    };
    writeFileSync(paths.content, manifest);
    writeFileSync(paths.sig, sig);
    writeFileSync(paths.cert, signer.certificate().pem);
    const changed = Buffer.concat([manifest, Buffer.from(' ')]);
    writeFileSync(paths.changed, changed);
    const verify = (content: string) =>
      tool('openssl', [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        paths.sig,
        '-content',
        content,
        '-CAfile',
        paths.cert,
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ]);
    const ok = verify(paths.content);
    expect(ok.out).toContain('Verification successful');
    expect(ok.status).toBe(0);
    expect(await verifyDetached(manifest, sig, signer.certificate().pem)).toEqual({ valid: true, problem: null });
    expect(await verifyDetached(manifest, sig)).toEqual({ valid: true, problem: null });

    expect(verify(paths.changed).status).not.toBe(0);
    expect(await verifyDetached(changed, sig, signer.certificate().pem)).toEqual({
      valid: false,
      problem: 'digest mismatch: the signed content was changed after signing',
    });

    const otherDir = mkdtempSync(join(tmpdir(), 'attest-pack-other-'));
    try {
      const other = new PackSigner(loadConfig({ DATA_DIR: otherDir }, otherDir, ROOT));
      const r = await verifyDetached(manifest, sig, other.certificate().pem);
      expect(r.valid).toBe(false);
      expect(r.problem).toMatch(/not by the expected certificate/);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
