// A whole PDF as bytes, for the short documents Attest renders in one pass (a policy version, a breach
// notification draft): A4, tagged Thai, Sarabun registered under PdfWriter's font keys.
import { pdfDocumentClass } from './pdfkit';
import { registerFonts, sarabunFontFiles } from './fonts';
import type { WriterLayout } from './pdf-writer';

/** The look of these short documents: A4 margins, sizes and colours for PdfWriter. */
export const SHORT_PDF_LAYOUT: WriterLayout = {
  page: { margins: { top: 62, bottom: 62, left: 56, right: 56 } },
  lineHeight: 1.35,
  sizes: { heading: 13, subheading: 11, body: 10, table: 9, small: 7.5 },
  colours: {
    text: '#1f2933',
    muted: '#616e7c',
    accent: '#1e4e8c',
    rule: '#cbd2d9',
    tableHeader: '#dde4ee',
    tableStripe: '#f5f7fa',
    levels: {},
  },
};

export interface PdfOptions {
  margins: { top: number; bottom: number; left: number; right: number };
  info: PDFKit.DocumentInfo;
}

/** Runs `draw` on a new document and answers its bytes; a failure while drawing is thrown, never half a PDF. */
export async function renderPdf(options: PdfOptions, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new (pdfDocumentClass())({
    size: 'A4',
    margins: options.margins,
    autoFirstPage: true,
    displayTitle: true,
    lang: 'th',
    info: { Creator: 'Attest', Producer: 'Attest (pdfkit)', ...options.info },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    registerFonts(doc, sarabunFontFiles());
    draw(doc);
  } catch (e) {
    doc.end();
    await done.catch(() => undefined);
    throw e;
  }
  doc.end();
  return done;
}
