// The signing and verifying code, loaded when a pack is first signed or verified rather than at start: it
// brings pkijs, asn1js and @signpdf (about 70 modules) that nothing else uses (docs/performance.md, Start-up).
// Relative requires, so they live here rather than in common/lazy-module.ts (which resolves from common/).
import { onFirstUse } from '../../common/lazy-module';
import type * as DetachedSignature from './detached-signature';
import type * as PdfSignature from './pdf-signature';
import type * as Timestamp from './timestamp';

/* eslint-disable @typescript-eslint/no-require-imports -- on purpose: not at start-up */
export const detachedSignature = onFirstUse(() => require('./detached-signature') as typeof DetachedSignature);
export const pdfSignature = onFirstUse(() => require('./pdf-signature') as typeof PdfSignature);
export const timestamps = onFirstUse(() => require('./timestamp') as typeof Timestamp);
/* eslint-enable @typescript-eslint/no-require-imports */
