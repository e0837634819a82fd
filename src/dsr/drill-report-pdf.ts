// A short PDF of a drill report (one or two pages), stored as evidence next to the JSON.
import { pdfDocumentClass } from '../common/pdf/pdfkit';
import type { DrillReport } from './domain/drill-report';

export function renderDrillReportPdf(report: DrillReport, generatedAt: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new (pdfDocumentClass())({
      size: 'A4',
      margin: 50,
      info: { Title: `DSR drill ${report.startedAt}`, Author: 'Attest', Subject: 'PDPA data subject request drill' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.fontSize(18).text('Data subject request drill');
    doc
      .moveDown(0.3)
      .fontSize(10)
      .fillColor('#555')
      .text(
        `Started ${report.startedAt} · ${Math.round(report.durationMs)} ms · generated ${generatedAt.toISOString()}`,
      );
    doc
      .moveDown()
      .fillColor(report.passed ? '#1a7f37' : '#b42318')
      .fontSize(14)
      .text(report.passed ? 'PASSED' : 'FAILED');
    doc.fillColor('#000').fontSize(10).moveDown(0.5);
    doc.text(
      `Export complete: ${report.exportComplete ? 'yes' : 'no'}    Residue rows: ${report.residue}    Within the 7-day SLA: ${report.withinSla ? 'yes' : 'no'}`,
    );
    doc.text(`Request ${report.reference}; export package SHA-256 ${report.exportSha256 ?? '—'}`);
    doc.moveDown();
    for (const s of report.systems) {
      doc.fontSize(12).text(`${s.system} (${s.kind}) — ${s.status}`);
      doc
        .fontSize(9)
        .text(
          `seeded ${s.seeded} · exported ${s.exported} · missing ${s.missing.length} · residue ${s.residue} · retained ${s.retained.length} table(s) · export ${s.exportMs} ms · erase ${s.eraseMs} ms`,
        );
      for (const m of s.missing.slice(0, 20)) doc.text(`  missing from export: ${m}`);
      for (const f of s.foreign) doc.text(`  not the subject's, yet exported: ${f.table} (${f.rows} row(s))`);
      for (const r of s.retained) doc.text(`  retained ${r.table}: ${r.rows} row(s), basis: ${r.basis ?? '—'}`);
      doc.moveDown(0.5);
    }
    if (report.failures.length) {
      doc.moveDown().fontSize(12).text('Failures');
      doc.fontSize(9);
      for (const f of report.failures) doc.text(`• ${f}`);
    }
    doc.end();
  });
}
