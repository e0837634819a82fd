// The PDF text helpers moved to common/pdf (the breach notification draft uses them too).
export * from '../../common/pdf/text';
