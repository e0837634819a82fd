import fc from 'fast-check';
import { BinaryCopyError, BinaryCopyReader } from './binary-copy';

type Field = Buffer | null;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A binary COPY stream of these tuples, as PostgreSQL writes it (optionally with a header extension). */
function copyStream(tuples: Field[][], extension = Buffer.alloc(0)): Buffer {
  const parts = [SIGNATURE, int32(0), int32(extension.length), extension];
  for (const tuple of tuples) {
    parts.push(int16(tuple.length));
    for (const field of tuple) parts.push(...(field === null ? [int32(-1)] : [int32(field.length), field]));
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}

/** The tuples the reader hands over when fed `chunks`, each field copied out (the arrays are reused). */
function read(fieldCount: number, chunks: Buffer[], stopAfter = Infinity): Field[][] {
  const tuples: Field[][] = [];
  const reader = new BinaryCopyReader(fieldCount, (buf) => {
    tuples.push(
      Array.from(reader.starts, (start, i) => (start < 0 ? null : Buffer.from(buf.subarray(start, reader.ends[i])))),
    );
    return tuples.length < stopAfter;
  });
  for (const chunk of chunks) if (!reader.push(chunk)) break;
  reader.end();
  return tuples;
}

const text = (s: string) => Buffer.from(s, 'utf8');
const TUPLES: Field[][] = [
  [text('1'), text('plain'), null],
  [text('2'), text(''), text('é ü 中文 🙂 𝄞 \u{10FFFF}')],
  [text('3'), null, text('line\nbreak\u0000nul\u001erecord\t\r')],
  [text('4'), Buffer.alloc(100_000, 0x61), text('after a large field')],
  [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0, 0, 0, 0]), text('-1 and 0 as bytes')],
];
const STREAM = copyStream(TUPLES);

describe('BinaryCopyReader', () => {
  it('reads tuples whole from one chunk: NULLs, empty, non-ASCII and astral text, control characters, a large field', () => {
    expect(read(3, [STREAM])).toEqual(TUPLES);
  });

  it('reads the same tuples whatever offset the stream is split at into two chunks', () => {
    const small = copyStream(TUPLES.filter((t) => t[0]?.toString() !== '4'));
    const expected = read(3, [small]);
    for (let at = 0; at <= small.length; at++) {
      expect(read(3, [small.subarray(0, at), small.subarray(at)])).toEqual(expected);
    }
  });

  it('reads the same tuples from chunks of any size down to one byte', () => {
    for (const size of [1, 2, 3, 4, 5, 7, 19, 20, 64, 4096, 65_536]) {
      const stream = size < 64 ? copyStream(TUPLES.filter((t) => t[0]?.toString() !== '4')) : STREAM;
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(read(3, chunks)).toEqual(read(3, [stream]));
    }
  });

  it('reads random tuples split at random offsets (property)', () => {
    const field = fc.option(
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      { nil: null },
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 4, maxLength: 4 }), { maxLength: 20 }),
        fc.uint8Array({ maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (tuples, extension, cuts) => {
          const stream = copyStream(tuples, Buffer.from(extension));
          const offsets = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...offsets].map((from, i) => stream.subarray(from, [...offsets, stream.length][i]));
          expect(read(4, chunks)).toEqual(tuples);
        },
      ),
      { seed: 15 },
    );
  });

  it('joins a tuple that spans many chunks once, not once per chunk', () => {
    const big = copyStream([[Buffer.alloc(4_000_000, 0x62)]]);
    const concat = jest.spyOn(Buffer, 'concat');
    const chunks: Buffer[] = [];
    for (let at = 0; at < big.length; at += 65_536) chunks.push(big.subarray(at, at + 65_536));
    expect(read(1, chunks)[0][0]?.length).toBe(4_000_000);
    expect(concat.mock.calls.length).toBeLessThanOrEqual(3);
    concat.mockRestore();
  });

  it('stops handing over tuples once told to, and ignores the rest', () => {
    expect(read(3, [STREAM.subarray(0, 40), STREAM.subarray(40)], 2)).toEqual(TUPLES.slice(0, 2));
  });

  it('refuses what is not a binary COPY stream of the expected shape', () => {
    expect(() => read(3, [Buffer.from('1\tplain\t\\N\n')])).toThrow(BinaryCopyError);
    expect(() => read(2, [STREAM])).toThrow('a tuple of 3 fields, expected 2');
    expect(() => read(3, [Buffer.concat([STREAM, int16(-1)])])).toThrow('bytes after the end marker');
    const withOids = Buffer.from(STREAM);
    withOids.writeInt32BE(1 << 16, SIGNATURE.length);
    expect(() => read(3, [withOids])).toThrow('OIDs are not supported');
  });

  it('says so when the stream ends before its end marker, wherever it was cut', () => {
    for (const at of [0, 5, 19, 21, 30, STREAM.length - 2, STREAM.length - 1])
      expect(() => read(3, [STREAM.subarray(0, at)])).toThrow('the stream ended before its end marker');
  });
});
