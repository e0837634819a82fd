// Fonts of the PDFs Attest writes: registering them under PdfWriter's font keys, and Sarabun (SIL OFL 1.1,
// shipped by @expo-google-fonts/sarabun), which covers Thai and Latin in one file.
import type { FontKey } from './pdf-types';

/** A font file path, or one of the standard PDF font names pdfkit knows (Courier…), per font key. */
export type FontFiles = Record<FontKey, string>;

/** Sarabun regular and bold from the installed package; Courier (built in, WinAnsi only) for digests. */
export function sarabunFontFiles(): FontFiles {
  return {
    regular: require.resolve('@expo-google-fonts/sarabun/400Regular/Sarabun_400Regular.ttf'),
    bold: require.resolve('@expo-google-fonts/sarabun/700Bold/Sarabun_700Bold.ttf'),
    mono: 'Courier',
  };
}

/** Registers the fonts under PdfWriter's keys and fixes the Thai glyph-to-text mapping before any text. */
export function registerFonts(doc: PDFKit.PDFDocument, files: FontFiles): void {
  doc.registerFont('regular', files.regular);
  doc.registerFont('bold', files.bold);
  doc.registerFont('mono', files.mono);
  seedGlyphText(doc, ['regular', 'bold']);
}

/**
 * A PDF font maps each glyph to text once, on first use. Sarabun draws SARA AM (ำ) with the glyphs of
 * nikhahit and sara aa; if that were their first use, every later plain า would read as nothing and every ํ as
 * ำ. Encoding the plain characters first fixes the mapping (pdfkit internals: skipped if they change).
 */
function seedGlyphText(doc: PDFKit.PDFDocument, fonts: string[]): void {
  for (const name of fonts) {
    const font = (doc.font(name) as unknown as { _font?: { encode?: (text: string) => unknown } })._font;
    if (typeof font?.encode === 'function') font.encode('\u0E32 \u0E4D');
  }
}

/**
 * Empties pdfkit's per-font cache of laid-out words. pdfkit keeps every distinct word it has ever laid out
 * (glyph runs, unbounded): with tens of thousands of unique digests, titles and file names that grew to
 * hundreds of megabytes. PdfWriter calls this every few pages, so the cache holds a few pages' words at most;
 * a word laid out again gives the same glyphs (pdfkit internals: skipped if they change).
 */
export function clearLayoutCaches(doc: PDFKit.PDFDocument): void {
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: object }> })._fontFamilies;
  for (const font of Object.values(families ?? {}))
    if (font && typeof font.layoutCache === 'object') font.layoutCache = Object.create(null) as object;
}
