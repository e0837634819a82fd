// What every section of the audit-pack PDF is drawn with (render-pack-pdf.ts, control-sections.ts,
// operations-sections.ts).
import type { PackModel } from '../pack-model';
import type { PackLayout } from './layout';
import type { PdfWriter } from './pdf-writer';

export interface SectionContext {
  doc: PDFKit.PDFDocument;
  w: PdfWriter;
  layout: PackLayout;
  model: PackModel;
}
