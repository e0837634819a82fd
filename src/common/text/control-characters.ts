// Characters that never belong in a one-line label (a file name, a person's display name): C0/C1 control
// characters, and the bidi marks, embeddings, overrides and isolates that make "evil\u202Efdp.exe" display
// as "evilexe.pdf" (Trojan Source). Pure.

const CONTROL_AND_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without control or bidi characters. */
export function withoutControlCharacters(text: string): string {
  return text.replace(CONTROL_AND_BIDI, '');
}

/** A one-line label as shown to people: NFC, no control or bidi characters, runs of white space as one space, trimmed. */
export function cleanLabel(text: string): string {
  return withoutControlCharacters(text.normalize('NFC').replace(/\s+/g, ' ')).replace(/ {2,}/g, ' ').trim();
}
