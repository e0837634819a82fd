// Text preparation for the PDF: cleaning user text and breaking lines, Thai included. Pure functions.
//
// pdfkit's own line breaker (UAX #14) finds no break opportunities inside unspaced Thai and so breaks words
// in the middle; inserting U+200B would help it but Sarabun has no glyph for it (a visible box). So lines are
// filled here: Intl.Segmenter('th', word) finds the words, the caller's measure decides the fit, and each line
// is handed to pdfkit whole.

/** Bidirectional embeddings/overrides/isolates and marks (Trojan Source class), and zero-width characters. */
const INVISIBLE_CONTROLS = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/** C0/C1 controls other than tab and line feed. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const COMBINING_MARK = /\p{M}/u;

/** Combining marks kept per base character: Thai stacks at most three (e.g. ป + ุ + ่ + ์ is already rare). */
export const MAX_COMBINING_MARKS = 3;

/**
 * Makes user text safe to lay out: NFC, no bidi controls or zero-width characters, no control characters
 * (tabs become spaces, CRLF/CR become LF), at most MAX_COMBINING_MARKS combining marks after any base
 * character (a "Zalgo" string cannot overflow its line box).
 */
export function cleanText(input: string | null | undefined, maxMarks = MAX_COMBINING_MARKS): string {
  if (input === null || input === undefined) return '';
  const s = String(input)
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(INVISIBLE_CONTROLS, '')
    .replace(CONTROL_CHARACTERS, '');
  let out = '';
  let marks = 0;
  for (const ch of s) {
    if (COMBINING_MARK.test(ch)) {
      if (++marks > maxMarks) continue;
    } else marks = 0;
    out += ch;
  }
  return out;
}

/** `s` cleaned and on one line, at most 500 characters: for the document info (title, author) and file names. */
export function oneLine(s: string): string {
  return cleanText(s).replace(/\n/g, ' ').slice(0, 500);
}

const THAI = /[\u0E00-\u0E7F]/;
const SPACE = /^\s+$/;

/** The word segmenter (Node 20 ships full ICU); one instance, it is stateless. */
const words = new Intl.Segmenter('th', { granularity: 'word' });
const graphemes = new Intl.Segmenter('th', { granularity: 'grapheme' });

/** A piece of a line: text that must stay together, and whether a break may come right after it. */
export interface Piece {
  text: string;
  /** Whitespace: dropped at line ends. */
  space: boolean;
}

/** Printable ASCII without a dash or a slash: the only break opportunities are its spaces. */
const PLAIN_ASCII = /^[\x20-\x2C\x2E\x30-\x7E]*$/;

/**
 * Splits one paragraph (no LF) into pieces between which a line may break: at spaces, between Thai words
 * (Intl.Segmenter), and after a hyphen or slash. Latin words keep their punctuation ("word," stays together).
 * Plain ASCII without a dash or slash (digests, sizes, most titles) is split at its spaces without the
 * segmenter, with the same result: its words could only break at spaces anyway.
 */
export function breakPieces(paragraph: string): Piece[] {
  if (PLAIN_ASCII.test(paragraph))
    return paragraph
      .split(/( +)/)
      .filter((text) => text !== '')
      .map((text) => ({ text, space: text[0] === ' ' }));
  return breakPiecesBySegmenter(paragraph);
}

/** breakPieces for any text: the word segmenter's words, joined where no line may break between them. */
export function breakPiecesBySegmenter(paragraph: string): Piece[] {
  const pieces: Piece[] = [];
  for (const { segment } of words.segment(paragraph)) {
    if (SPACE.test(segment)) {
      pieces.push({ text: segment, space: true });
      continue;
    }
    const prev = pieces[pieces.length - 1];
    const mayBreakBefore =
      !prev ||
      prev.space ||
      (THAI.test(lastChar(prev.text)) && THAI.test(segment[0])) ||
      // after a dash or slash, but not before a digit (2026-01-28, 1/2569, CTL-016)
      (/[-/–—]$/.test(prev.text) && !/^\d/.test(segment));
    if (mayBreakBefore) pieces.push({ text: segment, space: false });
    else prev.text += segment;
  }
  return pieces;
}

function lastChar(s: string): string {
  const chars = [...s];
  // Skip trailing combining marks: "ที่" ends in a tone mark, its base is Thai.
  for (let i = chars.length - 1; i >= 0; i--) if (!COMBINING_MARK.test(chars[i])) return chars[i];
  return chars[chars.length - 1] ?? '';
}

/**
 * Greedy line fill: the lines of `text` (cleaned first; LF is a hard break) no wider than `maxWidth` by
 * `measure`. A piece wider than a whole line is cut between grapheme clusters (a Thai vowel or tone mark is
 * never separated from its consonant). Spaces at line ends are dropped. Empty text gives one empty line.
 */
export function wrapText(text: string, maxWidth: number, measure: (s: string) => number): string[] {
  // Widths add up piece by piece (each piece measured once): kerning across a break opportunity is ignored,
  // a fraction of a point that the cell padding absorbs, and long paragraphs stay linear in time.
  const widths = new Map<string, number>();
  const width = (s: string) => {
    let w = widths.get(s);
    if (w === undefined) widths.set(s, (w = measure(s)));
    return w;
  };
  const lines: string[] = [];
  for (const paragraph of cleanText(text).split('\n')) {
    let line = '';
    let lineWidth = 0;
    let pendingSpace = '';
    const flush = () => {
      lines.push(line);
      line = '';
      lineWidth = 0;
      pendingSpace = '';
    };
    const start = (piece: string) => {
      // A piece too long for any line (a long token, an unspaced run the segmenter could not split) is cut.
      const parts = width(piece) > maxWidth ? cutToWidth(piece, maxWidth, measure) : [piece];
      parts.forEach((part, i) => {
        if (i > 0) flush();
        line = part;
        lineWidth = width(part);
      });
      pendingSpace = '';
    };
    for (const piece of breakPieces(paragraph)) {
      if (piece.space) {
        if (line !== '') pendingSpace += piece.text;
        continue;
      }
      if (line === '') {
        start(piece.text);
        continue;
      }
      const added = (pendingSpace ? width(pendingSpace) : 0) + width(piece.text);
      if (lineWidth + added <= maxWidth) {
        line += pendingSpace + piece.text;
        lineWidth += added;
        pendingSpace = '';
        continue;
      }
      flush();
      start(piece.text);
    }
    lines.push(line);
  }
  return lines;
}

/** Cuts `s` into parts no wider than maxWidth, between grapheme clusters (at least one cluster per part). */
function cutToWidth(s: string, maxWidth: number, measure: (s: string) => number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const { segment } of graphemes.segment(s)) {
    if (current !== '' && measure(current + segment) > maxWidth) {
      parts.push(current);
      current = '';
    }
    current += segment;
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** Fills `{name}` placeholders from `values`; unknown names are left as written. */
export function fillPlaceholders(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
