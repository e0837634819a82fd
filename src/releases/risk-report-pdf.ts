// The ISO 14971 clause 9 risk management report of a product version: the plan's status, every ISO 14971
// risk of the product with its initial and residual level, the overall residual-risk statement (clause 8),
// the open traceability gaps, and what the release carries (known anomalies, test result). The clinical
// lead reads it and signs the release's clause 9 gate, which binds the PDF's SHA-256. Pure: a function of
// the report (the generation time and zone are in it); Sarabun, so Thai text renders.
import { renderPdf, SHORT_PDF_LAYOUT } from '../common/pdf/render';
import { PdfWriter, type Column, type Row } from '../common/pdf/pdf-writer';
import { cleanText, oneLine, wrapText } from '../common/pdf/text';
import { wallClock, zoneLabel } from '../common/time/zone';
import type { TestReportSummary } from './domain/release-model';
import type { ReleaseAnomaly } from './release.entity';

export interface RiskReportRisk {
  ref: string;
  title: string;
  status: string;
  hazard: string | null;
  harm: string | null;
  level: string;
  residualLevel: string | null;
  benefitRisk: string | null;
  controls: number;
  gaps: string[];
}

export interface RiskReport {
  product: string;
  productName: string;
  version: string;
  commit: string;
  builtAt: Date;
  generatedAt: Date;
  zone: string;
  plan: {
    version: number;
    scope: string;
    intendedUse: string;
    acceptabilityPolicy: string;
    reviewCadence: string;
    residualRiskStatement: string | null;
    residualStatementBy: string | null;
    residualStatementAt: Date | null;
  } | null;
  risks: RiskReportRisk[];
  anomalies: ReleaseAnomaly[];
  testReport: TestReportSummary | null;
}

const LAYOUT = SHORT_PDF_LAYOUT;
const NONE = '—';

/** Counts by residual level (the initial level where no residual assessment exists yet). */
export function residualCounts(risks: RiskReportRisk[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of risks) {
    const level = r.residualLevel ?? r.level;
    counts.set(level, (counts.get(level) ?? 0) + 1);
  }
  return counts;
}

export function renderRiskReport(report: RiskReport): Promise<Buffer> {
  const info = {
    Title: oneLine(`${report.productName} ${report.version}: risk management report (ISO 14971 clause 9)`),
    Author: 'Attest',
    Subject: 'ISO 14971:2019 clause 9 risk management review',
    CreationDate: report.generatedAt,
  };
  return renderPdf({ margins: LAYOUT.page.margins, info }, (doc) => draw(doc, report));
}

function at(time: Date, zone: string): string {
  return `${wallClock(time, zone)} ${zoneLabel(zone)}`;
}

function draw(doc: PDFKit.PDFDocument, r: RiskReport): void {
  const w: PdfWriter = new PdfWriter(doc, LAYOUT, (page) => frame(w, r, page));
  frame(w, r, 0);
  w.paragraph('Risk management report — ISO 14971:2019 clause 9', {
    font: 'bold',
    size: 15,
    colour: LAYOUT.colours.accent,
    gapAfter: 4,
  });
  w.paragraph(`${r.productName} (${r.product}) version ${r.version}`, { font: 'bold', size: 11, gapAfter: 8 });
  w.keyValues([
    ['Commit', r.commit],
    ['Built', at(r.builtAt, r.zone)],
    ['Report generated', at(r.generatedAt, r.zone)],
    [
      'Tests',
      r.testReport
        ? `${r.testReport.tests} run, ${r.testReport.failures} failed, ${r.testReport.errors} errors, ${r.testReport.skipped} skipped`
        : 'no test report attached',
    ],
  ]);

  plan(w, r);
  risks(w, r);
}

function plan(w: PdfWriter, r: RiskReport): void {
  w.heading('Risk management plan (clause 4.4)');
  if (!r.plan) w.paragraph('No risk management plan is recorded for this product: the review cannot rely on one.');
  else
    w.keyValues([
      ['Plan version', String(r.plan.version)],
      ['Scope', r.plan.scope],
      ['Intended use', r.plan.intendedUse],
      ['Acceptability policy', r.plan.acceptabilityPolicy],
      ['Review cadence', r.plan.reviewCadence],
    ]);

  w.heading('Overall residual risk (clause 8)');
  const counts = residualCounts(r.risks);
  w.paragraph(
    r.risks.length === 0
      ? 'No ISO 14971 risk is recorded for this product.'
      : `${r.risks.length} risk(s): ${[...counts.entries()].map(([level, n]) => `${n} ${level}`).join(', ')} (residual level, or the initial level where none is assessed yet).`,
  );
  if (r.plan?.residualRiskStatement)
    w.paragraph(
      `Statement${r.plan.residualStatementBy ? ` by ${r.plan.residualStatementBy}` : ''}${
        r.plan.residualStatementAt ? `, ${at(r.plan.residualStatementAt, r.zone)}` : ''
      }: ${r.plan.residualRiskStatement}`,
    );
  else w.paragraph('No overall residual-risk statement is recorded in the plan.');
}

function risks(w: PdfWriter, r: RiskReport): void {
  w.heading('Risks and their residual levels');
  const columns: Column[] = [
    { header: 'Ref', share: 10 },
    { header: 'Risk', share: 34 },
    { header: 'Status', share: 12 },
    { header: 'Initial', share: 11 },
    { header: 'Residual', share: 11 },
    { header: 'Controls', share: 9 },
    { header: 'Gaps', share: 13 },
  ];
  const rows: Row[] = r.risks.map((k) => ({
    cells: [
      k.ref,
      [k.title, k.hazard ? `Hazard: ${k.hazard}` : '', k.harm ? `Harm: ${k.harm}` : ''].filter(Boolean).join('\n'),
      k.status,
      k.level,
      k.residualLevel ?? 'not assessed',
      String(k.controls),
      k.gaps.length ? String(k.gaps.length) : NONE,
    ],
  }));
  if (rows.length) w.table(columns, rows);
  else w.paragraph(NONE);

  w.heading('Open traceability gaps');
  const gaps = r.risks.flatMap((k) => k.gaps.map((g) => `${k.ref}: ${g}`));
  w.paragraph(gaps.length ? gaps.map((g) => `• ${cleanText(g)}`).join('\n') : 'None.');

  w.heading('Known residual anomalies shipped (IEC 62304 5.8)');
  w.paragraph(
    r.anomalies.length
      ? r.anomalies.map((a) => `• ${a.ref} ${a.title} — ${a.evaluation}`).join('\n')
      : 'None listed with the release.',
  );
}

function frame(w: PdfWriter, r: RiskReport, page: number): void {
  const small = LAYOUT.sizes.small;
  const style = w.style({ size: small, colour: LAYOUT.colours.muted });
  const pageLabel = `page ${page + 1}`;
  if (page > 0)
    w.drawLine(
      w.fit(`${r.productName} ${r.version} — risk management report`, w.width, 'regular', small),
      w.left,
      LAYOUT.page.margins.top - 26,
      style,
    );
  const footerY = w.doc.page.height - LAYOUT.page.margins.bottom + 12;
  const lines = wrapText(
    `Generated by Attest on ${at(r.generatedAt, r.zone)} for the ISO 14971 clause 9 review; the signature on the release binds this file's SHA-256.`,
    w.width - w.measure('regular', small)(pageLabel) - 12,
    w.measure('regular', small),
  );
  lines.forEach((line, i) => w.drawLine(line, w.left, footerY + i * w.lineHeight(small), style));
  w.drawLine(pageLabel, w.left, footerY, style, 'right', w.width);
}
