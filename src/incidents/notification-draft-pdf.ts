// The personal-data breach notification draft (PDPA s. 37(4)): a PDF the privacy officer reviews, completes
// and sends to the Office of the PDPC; Attest never sends it. Pure: a function of the draft (the generation
// time and the zone are in it), no database, no clock. Every label is in Thai and English because the Office
// works in Thai and the company's reviewers may not. Lines are wrapped and pages broken by PdfWriter (Thai
// word breaks, Sarabun), as in the audit pack.
import { renderPdf, SHORT_PDF_LAYOUT } from '../common/pdf/render';
import { PdfWriter, type Column, type Row, type WriterLayout } from '../common/pdf/pdf-writer';
import { cleanText, oneLine, wrapText } from '../common/pdf/text';
import { wallClock, zoneLabel } from '../common/time/zone';
import {
  BREACH_FACTORS,
  type BreachAssessmentFacts,
  type BreachFactor,
  type BreachNoticeDraft,
  type BreachType,
  type FactorLevel,
} from './domain/breach';
import type { BreachDecision } from './domain/incident-clocks';

const LAYOUT: WriterLayout = { ...SHORT_PDF_LAYOUT, sizes: { ...SHORT_PDF_LAYOUT.sizes, subheading: 10 } };
const TITLE_SIZE = 15;

/** "ไทย / English": one label for both readers. */
function bilingual(thai: string, english: string): string {
  return `${thai} / ${english}`;
}

const TITLE_TH = 'ร่างหนังสือแจ้งเหตุการละเมิดข้อมูลส่วนบุคคลต่อสำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล (มาตรา 37(4))';
const TITLE_EN =
  'Draft — personal data breach notification to the Office of the Personal Data Protection Committee (PDPA s. 37(4))';

const TYPE_LABELS: Record<BreachType, string> = {
  confidentiality: bilingual('การละเมิดความลับของข้อมูล', 'confidentiality breach'),
  integrity: bilingual('การละเมิดความถูกต้องครบถ้วนของข้อมูล', 'integrity breach'),
  availability: bilingual('การละเมิดความพร้อมใช้งานของข้อมูล', 'availability breach'),
};

/** The clause 12 factors (PDPC Notification on breach notification B.E. 2565), in the order the rule lists them. */
const FACTOR_LABELS: Record<BreachFactor, string> = {
  nature: bilingual('ลักษณะและประเภทของการละเมิด', 'Nature of the breach'),
  dataTypeAndVolume: bilingual('ประเภทและปริมาณของข้อมูลส่วนบุคคล', 'Type and volume of the data'),
  subjectVulnerability: bilingual('ความเปราะบางของเจ้าของข้อมูล', 'Vulnerability of the data subjects'),
  consequenceSeverity: bilingual(
    'ความร้ายแรงของผลกระทบและประสิทธิผลของการเยียวยา',
    'Severity of the consequences and effect of remediation',
  ),
  widerEffects: bilingual('ผลกระทบในวงกว้าง', 'Wider effects'),
  safeguards: bilingual('การจัดเก็บและมาตรการคุ้มครองข้อมูล', 'Storage and safeguards'),
};

const LEVEL_LABELS: Record<FactorLevel, string> = {
  low: bilingual('ต่ำ', 'low'),
  medium: bilingual('ปานกลาง', 'medium'),
  high: bilingual('สูง', 'high'),
};

const DECISION_LABELS: Record<BreachDecision, string> = {
  no_risk: bilingual('ไม่มีความเสี่ยงที่จะมีผลกระทบต่อสิทธิและเสรีภาพของบุคคล', 'No risk to the rights and freedoms of persons'),
  risk: bilingual('มีความเสี่ยงที่จะมีผลกระทบต่อสิทธิและเสรีภาพของบุคคล', 'Risk to the rights and freedoms of persons'),
  high_risk: bilingual(
    'มีความเสี่ยงสูงที่จะมีผลกระทบต่อสิทธิและเสรีภาพของบุคคล',
    'High risk to the rights and freedoms of persons',
  ),
};

const UNKNOWN = bilingual('ไม่ทราบ', 'unknown');
const NONE = '—';
const TO_BE_COMPLETED = bilingual('— โปรดระบุ —', '— to be completed —');

/**
 * Renders the draft as PDF bytes (A4, Sarabun embedded). Single pass: the footer needs no page count, so
 * each page gets its footer when it starts.
 */
export function renderBreachNoticeDraft(draft: BreachNoticeDraft): Promise<Buffer> {
  const info = {
    Title: oneLine(`${draft.incidentRef}: breach notification draft (PDPA s. 37(4))`),
    Author: oneLine(draft.controller),
    Subject: oneLine(TITLE_EN),
    CreationDate: draft.generatedAt,
  };
  return renderPdf({ margins: LAYOUT.page.margins, info }, (doc) => drawDraft(doc, draft));
}

/** Late: a late reason is recorded, or the draft is made after the notice fell due. */
export function isLateNotice(draft: Pick<BreachNoticeDraft, 'lateReason' | 'generatedAt' | 'officeDueAt'>): boolean {
  return draft.lateReason !== null || draft.generatedAt.getTime() > draft.officeDueAt.getTime();
}

function drawDraft(doc: PDFKit.PDFDocument, draft: BreachNoticeDraft): void {
  const w: PdfWriter = new PdfWriter(doc, LAYOUT, (page) => pageFrame(w, draft, page));
  pageFrame(w, draft, 0);
  title(w);
  controller(w, draft);
  incident(w, draft);
  nature(w, draft);
  dataInvolved(w, draft.assessment);
  riskAssessment(w, draft);
  consequencesAndMeasures(w, draft.assessment);
  if (isLateNotice(draft)) lateNotice(w, draft);
}

/** "2026-12-05 15:42 ICT": the app's wall-clock format in the draft's zone. */
function at(time: Date, zone: string): string {
  return `${wallClock(time, zone)} ${zoneLabel(zone)}`;
}

function count(n: number | null): string {
  return n === null ? UNKNOWN : n.toLocaleString('en-US');
}

/** A field: its bilingual label on its own line, the value wrapped below (text extracts label, then value). */
function field(w: PdfWriter, label: string, value: string): void {
  const body = LAYOUT.sizes.body;
  w.ensure(w.lineHeight(LAYOUT.sizes.small) + w.lineHeight(body) * 2);
  w.paragraph(label, { font: 'bold', size: LAYOUT.sizes.small, colour: LAYOUT.colours.muted, gapAfter: 0 });
  w.paragraph(cleanText(value).trim() === '' ? NONE : value, { size: body, gapAfter: body * 0.5 });
}

/** A section: its bilingual heading under a rule, set off from the field above it. */
function section(w: PdfWriter, heading: string): void {
  w.y += LAYOUT.sizes.body * 0.6;
  w.heading(heading);
}

function title(w: PdfWriter): void {
  w.paragraph(TITLE_TH, { font: 'bold', size: TITLE_SIZE, colour: LAYOUT.colours.accent, gapAfter: 4 });
  w.paragraph(TITLE_EN, { font: 'bold', size: LAYOUT.sizes.subheading, gapAfter: 6 });
  w.paragraph(
    bilingual(
      'ร่างเอกสาร: เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลตรวจทาน แก้ไข และส่งเอง',
      'Draft: the privacy officer reviews, completes and sends it',
    ),
    { size: LAYOUT.sizes.small, colour: LAYOUT.colours.muted, gapAfter: 10 },
  );
}

function controller(w: PdfWriter, draft: BreachNoticeDraft): void {
  section(w, bilingual('ผู้ควบคุมข้อมูลส่วนบุคคลและผู้ติดต่อ', 'Controller and contact point'));
  field(w, bilingual('ผู้ควบคุมข้อมูลส่วนบุคคล', 'Data controller'), draft.controller);
  field(w, bilingual('ชื่อผู้ติดต่อ (เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคล)', 'Contact point (DPO)'), draft.contact.name);
  field(w, bilingual('อีเมล', 'E-mail'), draft.contact.email);
  field(w, bilingual('ตำแหน่ง', 'Role'), draft.contact.role);
}

function incident(w: PdfWriter, draft: BreachNoticeDraft): void {
  const zone = draft.zone;
  section(w, bilingual('เหตุการณ์', 'The incident'));
  field(w, bilingual('เลขอ้างอิง', 'Incident reference'), draft.incidentRef);
  field(w, bilingual('ชื่อเหตุการณ์', 'Title'), draft.title);
  field(w, bilingual('ตรวจพบเมื่อ', 'Detected at'), at(draft.detectedAt, zone));
  field(w, bilingual('ทราบเหตุเมื่อ', 'Became aware at'), at(draft.awareAt, zone));
  field(
    w,
    bilingual('กำหนดแจ้งสำนักงานภายใน (72 ชั่วโมงนับแต่ทราบเหตุ)', 'Notice due at (72 hours from awareness)'),
    at(draft.officeDueAt, zone),
  );
  field(w, bilingual('เขตเวลา', 'Time zone'), `${zone} (${zoneLabel(zone)})`);
}

function nature(w: PdfWriter, draft: BreachNoticeDraft): void {
  section(w, bilingual('ลักษณะของการละเมิด', 'Nature of the breach'));
  field(w, bilingual('รายละเอียดของเหตุการณ์', 'Description'), draft.description);
  field(
    w,
    bilingual('ประเภทของการละเมิด', 'Type of breach'),
    draft.assessment.types.map((t) => TYPE_LABELS[t]).join('\n'),
  );
}

function dataInvolved(w: PdfWriter, facts: BreachAssessmentFacts): void {
  section(w, bilingual('ข้อมูลส่วนบุคคลที่เกี่ยวข้อง', 'Personal data involved'));
  field(
    w,
    bilingual('ประเภทของข้อมูลส่วนบุคคล', 'Categories of personal data'),
    facts.dataCategories.map((c) => `• ${cleanText(c).replace(/\n/g, ' ')}`).join('\n'),
  );
  field(
    w,
    bilingual('ข้อมูลอ่อนไหว (มาตรา 26)', 'Sensitive data (PDPA s. 26)'),
    facts.sensitive ? bilingual('ใช่', 'yes') : bilingual('ไม่ใช่', 'no'),
  );
  field(w, bilingual('จำนวนเจ้าของข้อมูลโดยประมาณ', 'Approximate number of data subjects'), count(facts.subjectsApprox));
  field(w, bilingual('จำนวนรายการข้อมูลโดยประมาณ', 'Approximate number of records'), count(facts.recordsApprox));
}

function riskAssessment(w: PdfWriter, draft: BreachNoticeDraft): void {
  const facts = draft.assessment;
  section(w, bilingual('การประเมินความเสี่ยง', 'Risk assessment'));
  const columns: Column[] = [
    { header: bilingual('ปัจจัย (ข้อ 12)', 'Factor (clause 12)'), share: 36 },
    { header: bilingual('ระดับ', 'Level'), share: 20 },
    { header: bilingual('หมายเหตุ', 'Note'), share: 44 },
  ];
  const rows: Row[] = BREACH_FACTORS.map((factor) => {
    const { level, note } = facts.factors[factor];
    return { cells: [FACTOR_LABELS[factor], LEVEL_LABELS[level], note === null || note.trim() === '' ? NONE : note] };
  });
  w.table(columns, rows);
  field(w, bilingual('ผลการประเมิน', 'Decision'), DECISION_LABELS[facts.decision]);
  field(w, bilingual('ประเมินเมื่อ', 'Decided at'), at(facts.decidedAt, draft.zone));
  field(w, bilingual('เหตุผล', 'Reasons'), facts.reasons);
}

function consequencesAndMeasures(w: PdfWriter, facts: BreachAssessmentFacts): void {
  section(w, bilingual('ผลกระทบและมาตรการ', 'Consequences and measures'));
  field(w, bilingual('ผลกระทบที่อาจเกิดขึ้น', 'Likely consequences'), facts.likelyConsequences);
  field(w, bilingual('มาตรการที่ได้ดำเนินการแล้ว', 'Measures taken'), facts.measuresTaken);
  field(w, bilingual('มาตรการที่จะดำเนินการ', 'Measures proposed'), facts.measuresProposed ?? '');
}

function lateNotice(w: PdfWriter, draft: BreachNoticeDraft): void {
  section(w, bilingual('เหตุผลที่แจ้งล่าช้า', 'Reason for the late notice'));
  const reason = draft.lateReason ?? '';
  w.paragraph(cleanText(reason).trim() === '' ? TO_BE_COMPLETED : reason);
}

/**
 * What every page carries: on pages after the first, the incident and "draft" at the top; on all, the
 * footer saying who made the draft and that Attest does not send it, and the page number.
 */
function pageFrame(w: PdfWriter, draft: BreachNoticeDraft, page: number): void {
  const small = LAYOUT.sizes.small;
  const style = w.style({ size: small, colour: LAYOUT.colours.muted });
  const generated = at(draft.generatedAt, draft.zone);
  const pageLabel = bilingual(`หน้า ${page + 1}`, `page ${page + 1}`);
  const textWidth = w.width - w.measure('regular', small)(pageLabel) - 12;
  if (page > 0) {
    const header = `${cleanText(draft.incidentRef)} — ${bilingual('ร่างหนังสือแจ้งเหตุการละเมิด', 'breach notification draft')}`;
    w.drawLine(w.fit(header, w.width, 'regular', small), w.left, LAYOUT.page.margins.top - 26, style);
  }
  const footerY = w.doc.page.height - LAYOUT.page.margins.bottom + 12;
  // Wrapped, not cut: a long zone name must not push "not sent by Attest" off the line (room for 4 lines).
  const lines = [
    `Generated by Attest on ${generated} — a draft for the privacy officer to review and send; not sent by Attest`,
    `สร้างโดย Attest เมื่อ ${generated} — ร่างให้เจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลตรวจทานและส่ง; Attest ไม่ได้ส่งหนังสือนี้`,
  ].flatMap((line) => wrapText(line, textWidth, w.measure('regular', small)));
  w.doc
    .moveTo(w.left, footerY - 4)
    .lineTo(w.right, footerY - 4)
    .lineWidth(0.4)
    .strokeColor(LAYOUT.colours.rule)
    .stroke();
  lines.forEach((line, i) => w.drawLine(line, w.left, footerY + i * w.lineHeight(small), style));
  w.drawLine(pageLabel, w.left, footerY, style, 'right', w.width);
}
