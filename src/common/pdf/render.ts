// A whole PDF as bytes, for the short documents Attest renders in one pass (a policy version, a breach
// notification draft): A4, tagged Thai, Sarabun registered under PdfWriter's font keys.
import PDFDocument from 'pdfkit';
import { registerFonts, sarabunFontFiles } from './fonts';

export interface PdfOptions {
  margins: { top: number; bottom: number; left: number; right: number };
  info: PDFKit.DocumentInfo;
}

/** Runs `draw` on a new document and answers its bytes; a failure while drawing is thrown, never half a PDF. */
export async function renderPdf(options: PdfOptions, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({
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
