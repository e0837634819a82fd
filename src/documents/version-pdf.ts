// A controlled document's version as a PDF (issue 17): what it is (key, version, SHA-256, effective day,
// status), who signed it (name, role, meaning, time, whether the signature still verifies), then its Markdown
// laid out. Pure: a function of the model (the generation time is in it), no database, no clock. Lines are
// wrapped and pages broken by PdfWriter with Sarabun embedded (Thai word breaks), as the audit pack does.
import { renderPdf, SHORT_PDF_LAYOUT } from '../common/pdf/render';
import { PdfWriter, type Column, type Row } from '../common/pdf/pdf-writer';
import { cleanText, oneLine, wrapText } from '../common/pdf/text';
import { wallClock, zoneLabel } from '../common/time/zone';
import { markdownBlocks, type MarkdownBlock } from './domain/markdown-blocks';

export interface VersionPdfSignature {
  signerName: string;
  signerRole: string;
  /** reviewed, approved, or rejected (with a reason). */
  meaning: string;
  reason: string | null;
  round: number;
  signedAt: Date;
  valid: boolean;
}

export interface VersionPdfModel {
  documentKey: string;
  title: string;
  type: string;
  ownerDepartment: string;
  number: number;
  status: string;
  sha256: string;
  changeSummary: string;
  material: boolean;
  /** YYYY-MM-DD, or null before publication. */
  effectiveOn: string | null;
  publishedAt: Date | null;
  approval: { met: boolean; required: string[] };
  signatures: VersionPdfSignature[];
  content: string;
  generatedAt: Date;
  /** The compliance time zone every time is shown in. */
  zone?: string;
}

const LAYOUT = SHORT_PDF_LAYOUT;
const TITLE_SIZE = 16;
const MONO_SIZE = 8;
/** Points of indentation per list or quote level, and the deepest level indented (deeper stays there). */
const INDENT = 14;
const MAX_INDENT_LEVELS = 8;
/** Courier (the mono font) is WinAnsi only: code with other characters is set in Sarabun instead. */
const MONO_SAFE = /^[\x20-\x7E\n]*$/;

/** Renders the version as PDF bytes (A4, Sarabun embedded). Single pass: the footer needs no page count. */
export function renderVersionPdf(model: VersionPdfModel): Promise<Buffer> {
  const info = {
    Title: oneLine(`${model.documentKey} v${model.number}: ${model.title}`),
    Subject: oneLine(`Controlled document ${model.documentKey}, version ${model.number} (SHA-256 ${model.sha256})`),
    CreationDate: model.generatedAt,
  };
  return renderPdf({ margins: LAYOUT.page.margins, info }, (doc) => {
    const w: PdfWriter = new PdfWriter(doc, LAYOUT, (page) => pageFrame(w, model, page));
    pageFrame(w, model, 0);
    header(w, model);
    approvals(w, model);
    content(w, model.content);
  });
}

function at(time: Date, zone: string | undefined): string {
  return `${wallClock(time, zone)} ${zoneLabel(zone)}`;
}

function header(w: PdfWriter, m: VersionPdfModel): void {
  w.paragraph(m.title, { font: 'bold', size: TITLE_SIZE, colour: LAYOUT.colours.accent, gapAfter: 6 });
  w.keyValues(
    [
      ['Document', `${m.documentKey} (${m.type.replaceAll('_', ' ')}, owner: ${m.ownerDepartment})`],
      ['Version', String(m.number)],
      ['Status', m.status.replaceAll('_', ' ')],
      ['Effective date', m.effectiveOn ?? 'not yet effective'],
      ['Published', m.publishedAt ? at(m.publishedAt, m.zone) : 'not published'],
      ['SHA-256', { text: m.sha256, font: 'mono', size: MONO_SIZE }],
      ['Change', `${m.changeSummary}${m.material ? ' (material change)' : ''}`],
    ],
    110,
  );
}

function approvals(w: PdfWriter, m: VersionPdfModel): void {
  w.heading('Approvals');
  w.paragraph(
    `Required: ${m.approval.required.join('; ') || 'none'}. ${m.approval.met ? 'All required approvals are given.' : 'Required approvals are missing.'}`,
    { size: LAYOUT.sizes.body },
  );
  if (m.signatures.length === 0) {
    w.paragraph('No signatures.', { colour: LAYOUT.colours.muted });
    return;
  }
  const columns: Column[] = [
    { header: 'Signer', share: 24 },
    { header: 'Role', share: 18 },
    { header: 'Meaning', share: 22 },
    { header: 'Round', share: 8, align: 'right' },
    { header: 'Signed at', share: 18 },
    { header: 'Valid', share: 10 },
  ];
  const rows: Row[] = m.signatures.map((s) => ({
    cells: [
      s.signerName,
      s.signerRole.replaceAll('_', ' '),
      s.reason ? `${s.meaning}: ${s.reason}` : s.meaning,
      String(s.round),
      at(s.signedAt, m.zone),
      s.valid ? 'valid' : { text: 'INVALID', font: 'bold', colour: '#b42318' },
    ],
  }));
  w.table(columns, rows);
  w.paragraph(
    'Each signature binds the signer, the time, the meaning and the SHA-256 above; "valid" means the content hashed now is the one signed and the signature record is intact.',
    { size: LAYOUT.sizes.small, colour: LAYOUT.colours.muted },
  );
}

function content(w: PdfWriter, markdown: string): void {
  w.heading('Content');
  for (const block of markdownBlocks(markdown)) drawBlock(w, block);
}

function indentOf(depth: number): number {
  return Math.min(depth, MAX_INDENT_LEVELS) * INDENT;
}

function drawBlock(w: PdfWriter, b: MarkdownBlock): void {
  const body = LAYOUT.sizes.body;
  switch (b.kind) {
    case 'heading': {
      const size = b.level === 1 ? LAYOUT.sizes.heading : b.level === 2 ? LAYOUT.sizes.subheading : body;
      w.y += size * 0.5;
      w.ensure(w.lineHeight(size) + w.lineHeight(body) * 2);
      const colour = b.level <= 2 ? LAYOUT.colours.accent : LAYOUT.colours.text;
      w.paragraph(b.text, { font: 'bold', size, colour, gapAfter: size * 0.3 });
      break;
    }
    case 'paragraph':
      drawParagraph(w, b);
      break;
    case 'code': {
      const mono = MONO_SAFE.test(cleanText(b.text));
      w.paragraph(b.text === '' ? ' ' : b.text, {
        font: mono ? 'mono' : 'regular',
        size: mono ? MONO_SIZE + 1 : body,
        indent: indentOf(b.depth) + 8,
        gapAfter: body * 0.6,
      });
      break;
    }
    case 'table': {
      const width = Math.max(b.header.length, ...b.rows.map((r) => r.length), 1);
      const pad = (cells: string[]) => Array.from({ length: width }, (_, i) => cells[i] ?? '');
      const columns: Column[] = pad(b.header).map((h) => ({ header: h, share: 1 }));
      w.table(
        columns,
        b.rows.map((r) => ({ cells: pad(r) })),
      );
      break;
    }
    case 'rule':
      w.ensure(body);
      w.doc
        .moveTo(w.left, w.y + body / 2)
        .lineTo(w.right, w.y + body / 2)
        .lineWidth(0.4)
        .strokeColor(LAYOUT.colours.rule)
        .stroke();
      w.y += body;
      break;
  }
}

/** A paragraph at its list or quote depth; a list item's marker hangs in the indent beside the wrapped text. */
function drawParagraph(w: PdfWriter, b: Extract<MarkdownBlock, { kind: 'paragraph' }>): void {
  const body = LAYOUT.sizes.body;
  const indent = indentOf(b.depth);
  const colour = b.quote ? LAYOUT.colours.muted : LAYOUT.colours.text;
  if (b.bullet === null) {
    w.paragraph(b.text, { indent, colour, gapAfter: body * 0.4 });
    return;
  }
  const bullet = b.bullet;
  const markerWidth = Math.max(INDENT, w.measure('regular', body)(bullet) + 4);
  const x = w.left + Math.max(0, indent - INDENT) + markerWidth;
  const style = w.style({ colour });
  const lh = w.lineHeight(body);
  wrapText(b.text, w.right - x, w.measure('regular', body)).forEach((line, i) => {
    w.ensure(lh);
    if (i === 0) w.drawLine(bullet, x - markerWidth, w.y, style);
    w.drawLine(line, x, w.y, style);
    w.y += lh;
  });
  w.y += body * 0.3;
}

/** Every page: from the second on, the document and version at the top; on all, the footer and page number. */
function pageFrame(w: PdfWriter, m: VersionPdfModel, page: number): void {
  const small = LAYOUT.sizes.small;
  const style = w.style({ size: small, colour: LAYOUT.colours.muted });
  const pageLabel = `page ${page + 1}`;
  if (page > 0) {
    const top = `${m.documentKey} v${m.number} — ${m.title}`;
    w.drawLine(w.fit(top, w.width, 'regular', small), w.left, LAYOUT.page.margins.top - 26, style);
  }
  const footerY = w.doc.page.height - LAYOUT.page.margins.bottom + 12;
  const textWidth = w.width - w.measure('regular', small)(pageLabel) - 12;
  const lines = wrapText(
    `${m.documentKey} v${m.number} (${m.status.replaceAll('_', ' ')}), printed by Attest on ${at(m.generatedAt, m.zone)}. ` +
      'A printed copy is uncontrolled: the version in force is the one in Attest.',
    textWidth,
    w.measure('regular', small),
  );
  w.doc
    .moveTo(w.left, footerY - 4)
    .lineTo(w.right, footerY - 4)
    .lineWidth(0.4)
    .strokeColor(LAYOUT.colours.rule)
    .stroke();
  lines.slice(0, 3).forEach((line, i) => w.drawLine(line, w.left, footerY + i * w.lineHeight(small), style));
  w.drawLine(pageLabel, w.left, footerY, style, 'right', w.width);
}
