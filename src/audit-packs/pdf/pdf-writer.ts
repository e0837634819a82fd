// PdfWriter moved to common/pdf (the breach notification draft uses it too).
export * from '../../common/pdf/pdf-writer';
