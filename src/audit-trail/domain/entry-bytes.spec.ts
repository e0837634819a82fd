import fc from 'fast-check';
import { ENTRY_FIELD, entryBytes, fieldText, isHexOf, utf8Equals } from './entry-bytes';

const equalsAt = (bytes: Buffer, text: string) => {
  const buf = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
  return utf8Equals(buf, 2, 2 + bytes.length, text);
};

describe('utf8Equals', () => {
  it.each(['', 'user:1', 'é', 'ü中文', '🙂', '𝄞 and \u{10FFFF}', 'line\nbreak\u0000\u001e', '\u07ff\u0800\uffff'])(
    'matches %j against its own UTF-8 bytes only',
    (text) => {
      const bytes = Buffer.from(text, 'utf8');
      expect(equalsAt(bytes, text)).toBe(true);
      expect(equalsAt(Buffer.concat([bytes, Buffer.from('a')]), text)).toBe(false);
      if (bytes.length > 0) {
        expect(equalsAt(bytes.subarray(0, bytes.length - 1), text)).toBe(false);
        const changed = Buffer.from(bytes);
        changed[changed.length - 1] ^= 1;
        expect(equalsAt(changed, text)).toBe(false);
      }
    },
  );

  it('never matches a lone surrogate, nor NULL', () => {
    expect(equalsAt(Buffer.from([0xed, 0xa0, 0x80]), '\ud800')).toBe(false);
    expect(equalsAt(Buffer.from('\ud800', 'utf8'), '\ud800')).toBe(false); // Node writes U+FFFD for it
    expect(equalsAt(Buffer.from([0xed, 0xb0, 0x80]), '\udc00')).toBe(false);
    expect(utf8Equals(Buffer.from('a'), -1, -1, '')).toBe(false);
  });

  it('agrees with encoding the text, for any two strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        const bytes = Buffer.from(a, 'utf8');
        // Well-formed text round-trips through UTF-8; text with lone surrogates has no UTF-8 form.
        const wellFormed = bytes.toString('utf8') === a;
        expect(equalsAt(bytes, a)).toBe(wellFormed);
        expect(equalsAt(bytes, b)).toBe(wellFormed && a === b);
      }),
      { seed: 15, numRuns: 2000 },
    );
  });
});

describe('isHexOf', () => {
  const digest = Buffer.from('00ff10a5' + '7e'.repeat(28), 'hex');
  const hex = (s: string) => Buffer.from(s, 'latin1');
  const latin1 = digest.toString('latin1');

  it('matches exactly the lower-case hex of the digest', () => {
    expect(isHexOf(hex(digest.toString('hex')), 0, 64, latin1)).toBe(true);
    expect(isHexOf(hex(digest.toString('hex').toUpperCase()), 0, 64, latin1)).toBe(false);
    expect(isHexOf(hex(digest.toString('hex') + '0'), 0, 65, latin1)).toBe(false);
    expect(isHexOf(hex(digest.toString('hex').slice(0, 62) + '7f'), 0, 64, latin1)).toBe(false);
    expect(isHexOf(hex(''), -1, -1, latin1)).toBe(false);
  });
});

describe('entryBytes', () => {
  it('holds every field as its UTF-8 bytes, NULL as -1, and `at` as ISO text', () => {
    const e = entryBytes({
      seq: 3,
      at: new Date('2026-01-02T03:04:05.678Z'),
      actor: 'user:é',
      action: 'a.b',
      subjectType: 'T',
      subjectId: null,
      canonical: '{"🙂":1}',
      prevHash: '0'.repeat(64),
      hash: 'f'.repeat(64),
    });
    expect(fieldText(e, ENTRY_FIELD.at)).toBe('2026-01-02T03:04:05.678Z');
    expect(fieldText(e, ENTRY_FIELD.actor)).toBe('user:é');
    expect(fieldText(e, ENTRY_FIELD.subjectId)).toBeNull();
    expect(e.starts[ENTRY_FIELD.subjectId]).toBe(-1);
    expect(fieldText(e, ENTRY_FIELD.canonical)).toBe('{"🙂":1}');
    expect(fieldText(e, ENTRY_FIELD.hash)).toBe('f'.repeat(64));
  });
});
