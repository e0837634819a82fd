import fc from 'fast-check';
import {
  breakPieces,
  breakPiecesBySegmenter,
  cleanText,
  fillPlaceholders,
  MAX_COMBINING_MARKS,
  wrapText,
} from './text';

/** Width = number of code points: enough to test the line filling without a font. */
const byLength = (s: string) => [...s].length;
const graphemes = (s: string) =>
  [...new Intl.Segmenter('th', { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);

describe('cleanText', () => {
  it.each([
    ['bidi override (Trojan Source)', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['embeddings and pop', '\u202Aa\u202Bb\u202Cc\u202Dd', 'abcd'],
    ['isolates', '\u2066x\u2067y\u2068z\u2069', 'xyz'],
    ['LRM, RLM and ALM', 'a\u200Eb\u200Fc\u061Cd', 'abcd'],
    ['zero-width space, joiners, BOM', 'a\u200Bb\u200Cc\u200Dd\uFEFFe', 'abcde'],
    ['control characters; tab to space; CRLF to LF', 'a\u0000b\u0007c\td\r\ne\rf\u009B', 'abc d\ne\nf'],
    ['NFC', 'e\u0301', '\u00e9'],
    ['Thai stays as written', 'น้ำที่ปี๋', 'น้ำที่ปี๋'],
  ])('removes %s', (_, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('caps combining marks per base character (Zalgo)', () => {
    const zalgo = 'Z' + '\u0336\u0334\u0337\u0338\u0321\u0322'.repeat(5) + 'a';
    const out = cleanText(zalgo);
    expect([...out].filter((c) => /\p{M}/u.test(c))).toHaveLength(MAX_COMBINING_MARKS);
    expect(out.startsWith('Z')).toBe(true);
    expect(out.endsWith('a')).toBe(true);
  });

  it('gives empty text for null and undefined', () => {
    expect(cleanText(null)).toBe('');
    expect(cleanText(undefined)).toBe('');
  });
});

describe('breakPieces', () => {
  const texts = (s: string) => breakPieces(s).map((p) => (p.space ? ' ' : p.text));

  it('breaks unspaced Thai between words (Intl.Segmenter)', () => {
    // ICU's dictionary splits ผู้ป่วย ("patient") into ผู้|ป่วย: still a boundary between syllables, never inside one.
    expect(texts('ข้อมูลส่วนบุคคลของผู้ป่วย')).toEqual(['ข้อมูล', 'ส่วน', 'บุคคล', 'ของ', 'ผู้', 'ป่วย']);
  });

  it('keeps Latin words with their punctuation, dates and numbers whole', () => {
    expect(texts('(PDPA), section 3.5: "word", 2026-01-28 1/2569 CTL-016')).toEqual([
      '(PDPA),',
      ' ',
      'section',
      ' ',
      '3.5:',
      ' ',
      '"word",',
      ' ',
      '2026-01-28',
      ' ',
      '1/2569',
      ' ',
      'CTL-016',
    ]);
  });

  it('may break after a hyphen or slash between words', () => {
    expect(texts('append-only read/write')).toEqual(['append-', 'only', ' ', 'read/', 'write']);
  });

  it("property: plain ASCII split at its spaces gives the segmenter's pieces (runs of spaces joined)", () => {
    // What wrapText sees: consecutive spaces are one gap either way.
    const joined = (pieces: { text: string; space: boolean }[]) =>
      pieces.reduce<string[]>((out, p) => {
        if (p.space && out.length > 0 && out[out.length - 1].startsWith(' ')) out[out.length - 1] += p.text;
        else out.push(p.text);
        return out;
      }, []);
    const ascii = fc.constantFrom(...' !"#$%&\'()*+,.0123456789:;<=>?@ABCZ[\\]^_`abcxyz{|}~'.split(''));
    const samples = [
      'SHA-256 ' + 'ab12'.repeat(16),
      'file 1: report.pdf · 1.2 MiB',
      'Bench evidence 1234',
      'Owner compliance (Alice) monthly, fresh',
    ].filter((t) => !/[-/]/.test(t) && /^[\x20-\x7E]*$/.test(t));
    for (const t of samples) expect(joined(breakPieces(t))).toEqual(joined(breakPiecesBySegmenter(t)));
    fc.assert(
      fc.property(fc.array(ascii, { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        expect(joined(breakPieces(text))).toEqual(joined(breakPiecesBySegmenter(text)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('wrapText', () => {
  it('fills lines greedily and drops spaces at line ends', () => {
    expect(wrapText('aaa bbb ccc ddd', 7, byLength)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrapText('aaa   bbb', 4, byLength)).toEqual(['aaa', 'bbb']);
  });

  it('breaks Thai at word boundaries only', () => {
    expect(wrapText('ข้อมูลส่วนบุคคลของผู้ป่วย', 12, byLength)).toEqual(['ข้อมูลส่วน', 'บุคคลของผู้', 'ป่วย']);
  });

  it('keeps hard line breaks, and an empty paragraph as an empty line', () => {
    expect(wrapText('one\n\ntwo', 10, byLength)).toEqual(['one', '', 'two']);
    expect(wrapText('', 10, byLength)).toEqual(['']);
  });

  it('cuts a token wider than a line between grapheme clusters, never inside one', () => {
    const hash = 'a'.repeat(25);
    expect(wrapText(hash, 10, byLength)).toEqual(['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)]);
    // น้ำ is one cluster of three code points: it is never split from its marks.
    const lines = wrapText('น้ำน้ำน้ำน้ำ', 4, byLength);
    for (const line of lines) expect(graphemes(line).every((g) => g === 'น้ำ')).toBe(true);
  });

  it('strips bidi controls before wrapping', () => {
    expect(wrapText('report\u202Efdp.exe', 100, byLength)).toEqual(['reportfdp.exe']);
  });

  it('property: nothing is lost or reordered, lines fit unless one cluster is wider, clusters stay whole', () => {
    const thaiWords = ['ข้อมูล', 'ส่วน', 'บุคคล', 'ของ', 'ผู้ป่วย', 'น้ำ', 'ที่', 'การ', 'คุ้มครอง'];
    const token = fc.oneof(
      fc.constantFrom(...thaiWords),
      fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.replace(/\s/g, 'x')),
      fc.constant(' '),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (tokens, width) => {
        const text = cleanText(tokens.join(''));
        const lines = wrapText(text, width, byLength);
        expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
        for (const line of lines) {
          if (byLength(line) > width) expect(graphemes(line)).toHaveLength(1);
        }
        const all = graphemes(text.replace(/\s/g, ''));
        expect(lines.flatMap((l) => graphemes(l.replace(/\s/g, '')))).toEqual(all);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fillPlaceholders', () => {
  it('fills known names and leaves unknown ones', () => {
    expect(fillPlaceholders('Page {page} of {pages} {nope}', { page: 2, pages: 9 })).toBe('Page 2 of 9 {nope}');
  });
});
