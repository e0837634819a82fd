// A document version's PDF read back with poppler (pdftotext, pdfinfo, pdffonts), as a reader's tools see it:
// the identity block, the approvals and the Markdown come back as the same characters (Thai included), and
// hostile Markdown neither breaks the file nor turns into anything active.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownBlocks } from './domain/markdown-blocks';
import { renderVersionPdf, type VersionPdfModel } from './version-pdf';

const SHA = 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00';
const THAI_TITLE = 'นโยบายการคุ้มครองข้อมูลส่วนบุคคล';
const THAI_PARAGRAPH = 'บริษัทประมวลผลข้อมูลสุขภาพของผู้ป่วยเฉพาะเท่าที่จำเป็น และแจ้งเหตุการละเมิดต่อสำนักงานภายใน 72 ชั่วโมง';

function model(overrides: Partial<VersionPdfModel> = {}): VersionPdfModel {
  return {
    documentKey: 'POL-PRIVACY',
    title: `${THAI_TITLE} (PDPA)`,
    type: 'policy',
    ownerDepartment: 'privacy',
    number: 3,
    status: 'published',
    sha256: SHA,
    changeSummary: 'Breach notice within 72 hours',
    material: true,
    effectiveOn: '2026-12-01',
    publishedAt: new Date('2026-11-30T03:00:00Z'),
    approval: { met: true, required: ['a compliance_manager', 'someone of the owner department'] },
    signatures: [
      {
        signerName: 'สมหญิง ใจดี',
        signerRole: 'compliance_manager',
        meaning: 'approved',
        reason: null,
        round: 1,
        signedAt: new Date('2026-11-29T02:15:00Z'),
        valid: true,
      },
      {
        signerName: 'Somchai Privacy',
        signerRole: 'privacy_officer',
        meaning: 'reviewed',
        reason: null,
        round: 1,
        signedAt: new Date('2026-11-29T04:40:00Z'),
        valid: false,
      },
    ],
    content: [
      `# ${THAI_TITLE}`,
      '',
      THAI_PARAGRAPH,
      '',
      '## Principles',
      '',
      '1. **Lawful basis** for every purpose.',
      '2. *Minimum* data, kept as the [retention schedule](https://attest.example/policies/POL-RETENTION) says.',
      '   - backups expire within `90 days`',
      '',
      '| right | clock |',
      '| --- | --- |',
      '| access | 30 days |',
      '| ลบข้อมูล | 90 วัน |',
      '',
      '```',
      'SELECT count(*) FROM consents;',
      '```',
      '',
      '> Quoted: ask the privacy officer.',
    ].join('\n'),
    generatedAt: new Date('2026-12-04T03:00:00Z'),
    zone: 'Asia/Bangkok',
    ...overrides,
  };
}

/** Whitespace removed: pdftotext breaks lines where the layout wrapped them, and Thai has no word spaces. */
const squash = (s: string) => s.replace(/\s+/g, '');

describe('markdownBlocks', () => {
  it('gives headings, list items with their markers and depth, tables, code and quotes as plain text', () => {
    const blocks = markdownBlocks(model().content);
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: THAI_TITLE },
      { kind: 'paragraph', text: THAI_PARAGRAPH, depth: 0, bullet: null, quote: false },
      { kind: 'heading', level: 2, text: 'Principles' },
      { kind: 'paragraph', text: 'Lawful basis for every purpose.', depth: 1, bullet: '1.', quote: false },
      {
        kind: 'paragraph',
        text: 'Minimum data, kept as the retention schedule (https://attest.example/policies/POL-RETENTION) says.',
        depth: 1,
        bullet: '2.',
        quote: false,
      },
      { kind: 'paragraph', text: 'backups expire within 90 days', depth: 2, bullet: '•', quote: false },
      {
        kind: 'table',
        header: ['right', 'clock'],
        rows: [
          ['access', '30 days'],
          ['ลบข้อมูล', '90 วัน'],
        ],
      },
      { kind: 'code', text: 'SELECT count(*) FROM consents;', depth: 0 },
      { kind: 'paragraph', text: 'Quoted: ask the privacy officer.', depth: 1, bullet: null, quote: true },
    ]);
  });

  it('shows text nested too deep to lay out as written, rather than dropping what follows', () => {
    for (const deep of [
      '>'.repeat(300) + ' deep',
      Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}- l${i}`).join('\n'),
    ]) {
      const blocks = markdownBlocks(`${deep}\n\nafter`);
      expect(blocks[0]).toMatchObject({ kind: 'paragraph', text: expect.stringContaining('shown as written') });
      expect(blocks[1]).toEqual({ kind: 'code', text: `${deep}\n\nafter`, depth: 0 });
    }
    expect(markdownBlocks(Array.from({ length: 20 }, (_, i) => `${'  '.repeat(i)}- l${i}`).join('\n'))).toHaveLength(
      20,
    );
  });

  it('keeps raw HTML as text and refuses script links', () => {
    const blocks = markdownBlocks('<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=y>');
    expect(blocks).toEqual([
      { kind: 'paragraph', text: '<script>alert(1)</script>', depth: 0, bullet: null, quote: false },
      {
        kind: 'paragraph',
        text: '[click](javascript:alert(1)) <img src=x onerror=y>',
        depth: 0,
        bullet: null,
        quote: false,
      },
    ]);
  });
});

describe('renderVersionPdf (read back with poppler)', () => {
  let dir: string;
  let n = 0;
  const poppler = (tool: string, args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });
  const write = async (m: VersionPdfModel) => {
    const path = join(dir, `version-${++n}.pdf`);
    const bytes = await renderVersionPdf(m);
    writeFileSync(path, bytes);
    return { path, bytes };
  };
  // -raw: content-stream order (the default reading order moves a tone mark over a vowel after the next consonant).
  const text = (path: string) => poppler('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-']);
  const expectText = (extracted: string, expected: string) => expect(squash(extracted)).toContain(squash(expected));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'attest-version-pdf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('states the key, version, SHA-256, effective date and status, with Thai text as the same characters', async () => {
    const { path } = await write(model());
    const out = text(path);
    for (const s of [
      `${THAI_TITLE} (PDPA)`,
      'Document POL-PRIVACY (policy, owner: privacy)',
      'Version 3',
      'Status published',
      'Effective date 2026-12-01',
      'Published 2026-11-30 10:00 ICT',
      `SHA-256 ${SHA}`,
      'Breach notice within 72 hours (material change)',
      THAI_PARAGRAPH,
    ])
      expectText(out, s);
    // SARA AM (ำ) must not come back as nikhahit + sara aa.
    expect(out).not.toContain('\u0E4D\u0E32');
    expect(poppler('pdfinfo', [path])).toContain(`POL-PRIVACY v3: ${THAI_TITLE} (PDPA)`);
    const fonts = poppler('pdffonts', [path]);
    expect(fonts).toContain('Sarabun-Regular');
    expect(fonts).toContain('Sarabun-Bold');
  });

  it('lists the approvals: signer name, role, meaning, time in the compliance zone, valid or not', async () => {
    const out = text((await write(model())).path);
    expectText(
      out,
      'Required: a compliance_manager; someone of the owner department. All required approvals are given.',
    );
    expectText(out, 'สมหญิง ใจดี compliance manager approved 1 2026-11-29 09:15 ICT valid');
    expectText(out, 'Somchai Privacy privacy officer reviewed 1 2026-11-29 11:40 ICT INVALID');

    const unsigned = text((await write(model({ signatures: [], approval: { met: false, required: ['x'] } }))).path);
    expectText(unsigned, 'Required approvals are missing.');
    expectText(unsigned, 'No signatures.');
  });

  it('lays out the Markdown: headings, numbered and bulleted items, the link address, table cells, code', async () => {
    const out = text((await write(model())).path);
    for (const s of [
      'Principles',
      '1. Lawful basis for every purpose.',
      '2. Minimum data, kept as the retention schedule (https://attest.example/policies/POL-RETENTION) says.',
      '• backups expire within 90 days',
      'right clock',
      'access 30 days',
      'ลบข้อมูล 90 วัน',
      'SELECT count(*) FROM consents;',
      'Quoted: ask the privacy officer.',
    ])
      expectText(out, s);
    expect(out).not.toContain('**');
  });

  it('survives hostile Markdown: raw HTML and script links stay text, nothing active, deep nesting and long lines fit', async () => {
    const hostile = [
      '<script>alert("x")</script>',
      '',
      '[click me](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) <iframe src="https://evil.example">',
      '',
      '>'.repeat(40) + ' deep quote',
      '',
      Array.from({ length: 25 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n'),
      '',
      'A'.repeat(20_000),
      '',
      `Zalgo: Z${'\u0301'.repeat(500)}a bidi \u202Eevil\u202C text \u0000 nul`,
      '',
      '| ' + Array.from({ length: 40 }, (_, i) => `c${i}`).join(' | ') + ' |',
      '| ' + Array.from({ length: 40 }, () => '---').join(' | ') + ' |',
      '| ' + Array.from({ length: 40 }, () => 'ข้อมูล').join(' | ') + ' |',
      '',
      '```',
      'ไทยในโค้ด ' + 'x'.repeat(3000),
      '```',
      '',
      '# ' + 'ท'.repeat(2000),
      '',
      '---',
      'The end.',
    ].join('\n');
    const { path, bytes } = await write(model({ content: hostile, title: '<b>title</b>\u202E' }));
    const raw = bytes.toString('latin1');
    for (const active of ['/JavaScript', '/JS', '/URI', '/Launch', '/OpenAction', '/AA', '/SubmitForm'])
      expect(raw).not.toContain(active);
    const out = text(path);
    expectText(out, '<script>alert("x")</script>');
    expectText(out, '[click me](javascript:alert(1))');
    expectText(out, 'deep quote');
    expectText(out, 'level 24');
    expectText(out, 'c39');
    expect(out).not.toContain('shown as written');

    // Nested deeper than a layout can follow: the text as written, and nothing after it lost.
    const deep = Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n');
    const asWritten = text((await write(model({ content: `${'>'.repeat(300)} deep\n\n${deep}\n\nThe end.` }))).path);
    for (const s of ['shown as written', 'level 79', 'The end.']) expectText(asWritten, s);
    expectText(out, 'ไทยในโค้ด');
    expectText(out, 'The end.');
    expect(out).not.toContain('\u202E');
    expect(Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [path]))![1])).toBeGreaterThan(1);
  });

  it('runs long content over pages with the footer and the document on each', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `- ${THAI_PARAGRAPH} ${i}`).join('\n');
    const { path } = await write(model({ content: long }));
    const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [path]))![1]);
    expect(pages).toBeGreaterThan(3);
    const out = text(path);
    expect(out.split('A printed copy is uncontrolled').length - 1).toBe(pages);
    expectText(out, `page ${pages}`);
    expectText(out, `${THAI_PARAGRAPH} 399`);
  });
});
