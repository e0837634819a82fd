// pdfkit (with fontkit and its Unicode tables) is loaded on the first PDF rendered, not at start-up.
import type PDFKitDocument from 'pdfkit';
import { lazyModule } from '../lazy-module';

/** The pdfkit document class, loaded on first use. */
export const pdfDocumentClass = lazyModule<typeof PDFKitDocument>('pdfkit');
