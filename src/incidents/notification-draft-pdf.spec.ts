// The breach notification draft read back with poppler (pdftotext, pdfinfo, pdffonts), as a reviewer's tools
// see it: Thai labels and Thai input come back as the same characters, and long drafts run over pages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BreachAssessmentFacts, BreachNoticeDraft } from './domain/breach';
import { isLateNotice, renderBreachNoticeDraft } from './notification-draft-pdf';

const LAB_RESULTS = 'ผลตรวจทางห้องปฏิบัติการ';
const THAI_DESCRIPTION = `${LAB_RESULTS}ของผู้ป่วยถูกส่งทางอีเมลไปยังผู้รับที่ไม่ถูกต้อง ซึ่งได้แจ้งกลับมาและลบอีเมลแล้ว`;

function assessment(overrides: Partial<BreachAssessmentFacts> = {}): BreachAssessmentFacts {
  const factor = (level: 'low' | 'medium' | 'high', note: string | null) => ({ level, note });
  return {
    types: ['confidentiality', 'availability'],
    dataCategories: [LAB_RESULTS, 'contact details'],
    sensitive: true,
    subjectsApprox: 1250,
    recordsApprox: null,
    factors: {
      nature: factor('high', 'ส่งผิดผู้รับ'),
      dataTypeAndVolume: factor('high', 'health data'),
      subjectVulnerability: factor('medium', null),
      consequenceSeverity: factor('medium', 'recipient confirmed deletion'),
      widerEffects: factor('low', null),
      safeguards: factor('low', 'unencrypted attachment'),
    },
    likelyConsequences: 'การเลือกปฏิบัติและความอับอาย',
    measuresTaken: 'Recalled the e-mail; the recipient confirmed deletion.',
    measuresProposed: 'Encrypt result attachments.',
    decision: 'high_risk',
    reasons: 'Health data of patients (s. 26) sent unencrypted.',
    decidedAt: new Date('2026-12-03T05:00:00Z'),
    ...overrides,
  };
}

function draft(overrides: Partial<BreachNoticeDraft> = {}): BreachNoticeDraft {
  return {
    incidentRef: 'INC-0007',
    title: 'ส่งผลตรวจผิดผู้รับ',
    description: THAI_DESCRIPTION,
    controller: 'บริษัท ตัวอย่าง จำกัด',
    contact: { name: 'สมหญิง ใจดี', email: 'dpo@example.co.th', role: 'Data Protection Officer' },
    detectedAt: new Date('2026-12-03T01:00:00Z'),
    awareAt: new Date('2026-12-03T02:30:00Z'),
    assessment: assessment(),
    officeDueAt: new Date('2026-12-06T02:30:00Z'),
    lateReason: null,
    generatedAt: new Date('2026-12-04T03:00:00Z'),
    zone: 'Asia/Bangkok',
    ...overrides,
  };
}

/**
 * Whitespace removed: pdftotext breaks lines where the layout wrapped them, and Thai has no word spaces.
 * pdftotext runs with -raw (content-stream order): its default reading order sorts glyphs by position and
 * so moves a tone mark that sits above a vowel (ผู้) after the next consonant.
 */
const squash = (s: string) => s.replace(/\s+/g, '');

describe('renderBreachNoticeDraft (read back with poppler)', () => {
  let dir: string;
  let n = 0;
  const poppler = (tool: string, args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });
  const write = async (d: BreachNoticeDraft) => {
    const path = join(dir, `draft-${++n}.pdf`);
    writeFileSync(path, await renderBreachNoticeDraft(d));
    return path;
  };
  const text = async (d: BreachNoticeDraft) => poppler('pdftotext', ['-raw', '-enc', 'UTF-8', await write(d), '-']);
  const expectText = (extracted: string, expected: string) => expect(squash(extracted)).toContain(squash(expected));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'attest-breach-draft-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the Thai and English heading and labels, and the Thai input, as the same characters', async () => {
    const out = await text(draft());
    for (const s of [
      'ร่างหนังสือแจ้งเหตุการละเมิดข้อมูลส่วนบุคคลต่อสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล (มาตรา 37(4))',
      'Draft — personal data breach notification to the Office of the Personal Data Protection Committee (PDPA s. 37(4))',
      'ลักษณะของการละเมิด / Nature of the breach',
      'ข้อมูลอ่อนไหว (มาตรา 26) / Sensitive data (PDPA s. 26)',
      'จำนวนเจ้าของข้อมูลโดยประมาณ / Approximate number of data subjects',
      'มาตรการที่ได้ดำเนินการแล้ว / Measures taken',
      THAI_DESCRIPTION,
      `• ${LAB_RESULTS}`,
      'บริษัท ตัวอย่าง จำกัด',
      'สมหญิง ใจดี',
      'dpo@example.co.th',
      'การเลือกปฏิบัติและความอับอาย',
      'การละเมิดความลับของข้อมูล / confidentiality breach',
      'การละเมิดความพร้อมใช้งานของข้อมูล / availability breach',
    ])
      expectText(out, s);
    expect(out).not.toContain('integrity breach');
    // SARA AM (ำ) must not come back as nikhahit + sara aa.
    expect(out).not.toContain('\u0E4D\u0E32');
  });

  it('gives the counts ("unknown" when not known), sensitivity, the decision and the clause 12 factors', async () => {
    const out = await text(draft());
    expectText(out, 'Approximate number of data subjects 1,250');
    expectText(out, 'Approximate number of records ไม่ทราบ / unknown');
    expectText(out, 'ใช่ / yes');
    expectText(out, 'มีความเสี่ยงสูงที่จะมีผลกระทบต่อสิทธิและเสรีภาพของบุคคล / High risk to the rights and freedoms of persons');
    expectText(out, 'Health data of patients (s. 26) sent unencrypted.');
    expectText(out, 'ส่งผิดผู้รับ');
    expectText(out, 'unencrypted attachment');
    expectText(out, 'ปานกลาง / medium');
  });

  it('prints the times in the draft zone with its name', async () => {
    const bangkok = await text(draft());
    expectText(bangkok, 'Notice due at (72 hours from awareness) 2026-12-06 09:30 ICT');
    expectText(bangkok, 'Became aware at 2026-12-03 09:30 ICT');
    expectText(bangkok, 'Detected at 2026-12-03 08:00 ICT');
    expectText(bangkok, 'Generated by Attest on 2026-12-04 10:00 ICT');
    const london = await text(draft({ zone: 'Europe/London' }));
    expectText(london, '2026-12-06 02:30 Europe/London');
    expectText(london, 'Generated by Attest on 2026-12-04 03:00 Europe/London — a draft');
    expectText(london, 'not sent by Attest');
  });

  it('has a late-notice section only when late: to be completed, or with the recorded reason', async () => {
    const onTime = await text(draft());
    expect(isLateNotice(draft())).toBe(false);
    expect(squash(onTime)).not.toContain(squash('Reason for the late notice'));
    expect(squash(onTime)).not.toContain(squash('เหตุผลที่แจ้งล่าช้า'));

    const afterDue = await text(draft({ generatedAt: new Date('2026-12-06T02:31:00Z') }));
    expectText(afterDue, 'เหตุผลที่แจ้งล่าช้า / Reason for the late notice');
    expectText(afterDue, '— to be completed —');

    const reason = 'ผู้ประมวลผลข้อมูลแจ้งเหตุล่าช้า 4 วัน';
    const withReason = await text(draft({ lateReason: reason }));
    expectText(withReason, 'Reason for the late notice');
    expectText(withReason, reason);
    expect(squash(withReason)).not.toContain(squash('to be completed'));
  });

  it('runs a 5,000-word description over several pages, footer on each, with Sarabun embedded', async () => {
    const words = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? LAB_RESULTS : `word${i}`));
    const path = await write(draft({ description: words.join(' ') }));
    const pages = Number(/Pages:\s+(\d+)/.exec(poppler('pdfinfo', [path]))![1]);
    expect(pages).toBeGreaterThan(1);
    const out = poppler('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-']);
    expect(out).toContain('word4999');
    expect(out.split('not sent by Attest').length - 1).toBe(pages);
    expectText(out, `หน้า ${pages} / page ${pages}`);

    const fonts = poppler('pdffonts', [path]).split('\n');
    for (const face of ['Sarabun-Regular', 'Sarabun-Bold']) {
      const line = fonts.find((l) => l.includes(face));
      expect(line).toBeDefined();
      // columns: name, type, encoding, emb, sub, uni, object ID
      expect(line!.trim().split(/\s+/).slice(-5, -2)).toEqual(['yes', 'yes', 'yes']);
    }
  });
});
