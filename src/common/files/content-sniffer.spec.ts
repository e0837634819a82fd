import {
  ContentInspector,
  contentTypeHeader,
  DEFAULT_ALLOWED_TYPES,
  extensionFor,
  sniff,
  SNIFF_HEAD_BYTES,
  SNIFFABLE_TYPES,
} from './content-sniffer';

const bytes = (...parts: (string | number[] | Buffer)[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.isBuffer(p) ? p : Buffer.from(p))),
  );

/** A zip local file header for `name` followed by `data` (stored, no data descriptor). */
function zipEntry(name: string, data = 'x', flags = 0): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt32LE(Buffer.byteLength(data), 18);
  h.writeUInt32LE(Buffer.byteLength(data), 22);
  h.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([h, Buffer.from(name), Buffer.from(data)]);
}

const type = (b: Buffer, name = '') => {
  const s = sniff(b, name);
  return s.ok ? s.mediaType : `refused:${s.reason}`;
};

describe('sniff: types from magic numbers, whatever the file is called', () => {
  it.each([
    ['PDF', bytes('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'application/pdf'],
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'image/png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    ['GIF87a', bytes('GIF87a', [1, 0]), 'image/gif'],
    ['GIF89a', bytes('GIF89a', [1, 0]), 'image/gif'],
    ['WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['plain zip', zipEntry('notes.txt'), 'application/zip'],
    ['empty zip', bytes([0x50, 0x4b, 0x05, 0x06], Buffer.alloc(18)), 'application/zip'],
    [
      'DOCX',
      Buffer.concat([
        zipEntry('[Content_Types].xml', '<Types/>'),
        zipEntry('_rels/.rels'),
        zipEntry('word/document.xml'),
      ]),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    [
      'XLSX',
      Buffer.concat([zipEntry('[Content_Types].xml', '<Types/>'), zipEntry('xl/workbook.xml')]),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ],
    [
      'PPTX',
      Buffer.concat([zipEntry('[Content_Types].xml', '<Types/>'), zipEntry('ppt/presentation.xml')]),
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    ['zip with a word/ folder but no OOXML parts', zipEntry('word/readme.txt'), 'application/zip'],
    [
      'zip with a data descriptor (not walkable)',
      Buffer.concat([zipEntry('[Content_Types].xml', '', 0x08), zipEntry('word/document.xml')]),
      'application/zip',
    ],
  ])('%s', (_, b, expected) => {
    expect(type(b, 'innocent.txt')).toBe(expected);
  });
});

describe('sniff: executables are refused', () => {
  it.each([
    ['PE (MZ)', bytes('MZ', [0x90, 0, 3, 0, 0, 0])],
    ['ELF', bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])],
    ['Mach-O 64', bytes([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])],
    ['Mach-O 32 big-endian', bytes([0xfe, 0xed, 0xfa, 0xce])],
    ['universal binary / Java class', bytes([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2])],
    ['WebAssembly', bytes([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0])],
    ['shell script', bytes('#!/bin/sh\nrm -rf /\n')],
  ])('%s', (_, b) => {
    expect(type(b, 'report.pdf')).toBe('refused:executable');
  });
});

describe('sniff: text, JSON, XML and SBOMs', () => {
  it.each([
    ['plain text', 'All good this week.\n', 'notes.txt', 'text/plain'],
    ['Thai text', 'ทบทวนสิทธิ์การเข้าถึงแล้ว\n', 'review.txt', 'text/plain'],
    ['CSV named .csv', 'user,role\nsomchai,admin\n', 'users.csv', 'text/csv'],
    ['the same bytes named .txt', 'user,role\nsomchai,admin\n', 'users.txt', 'text/plain'],
    ['markdown', '# Review\n', 'review.md', 'text/markdown'],
    ['JSON object', '  {"passed": 12, "failed": 0}', 'results.json', 'application/json'],
    ['JSON with a BOM', '\uFEFF[1, 2]', 'x', 'application/json'],
    [
      'CycloneDX JSON',
      '{"bomFormat": "CycloneDX", "specVersion": "1.5"}',
      'bom.json',
      'application/vnd.cyclonedx+json',
    ],
    ['SPDX JSON', '{"spdxVersion": "SPDX-2.3", "name": "x"}', 'sbom.json', 'application/spdx+json'],
    ['XML', '<?xml version="1.0"?><testsuites tests="3"/>', 'junit.xml', 'application/xml'],
    ['XML without a declaration', '<testsuites tests="3"></testsuites>', 'junit.xml', 'application/xml'],
    [
      'CycloneDX XML',
      '<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"></bom>',
      'bom.xml',
      'application/vnd.cyclonedx+xml',
    ],
    ['HTML', '<!DOCTYPE html><html><script>alert(1)</script>', 'report.txt', 'text/html'],
    [
      'SVG (scripts)',
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
      'chart.xml',
      'text/html',
    ],
    ['CRLF, tabs and ESC are text', 'a\tb\r\n\x1b[1mbold\x1b[0m\f', 'log.txt', 'text/plain'],
  ])('%s', (_, text, name, expected) => {
    expect(type(Buffer.from(text, 'utf8'), name)).toBe(expected);
  });

  it('calls bytes with NUL or other binary controls an unknown binary', () => {
    expect(type(Buffer.from('hello\x00world'), 'a.txt')).toBe('refused:unknown_binary');
    expect(type(Buffer.from('hello\x02world'), 'a.txt')).toBe('refused:unknown_binary');
  });

  it('calls invalid UTF-8 (e.g. Latin-1 or UTF-16) an unknown binary', () => {
    expect(type(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), 'a.txt')).toBe('refused:unknown_binary');
    expect(type(Buffer.from('\uFEFFhi', 'utf16le'), 'a.txt')).toBe('refused:unknown_binary');
  });

  it('refuses random bytes and old OLE documents (not in the list)', () => {
    expect(type(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'old.doc')).toBe(
      'refused:unknown_binary',
    );
    expect(type(Buffer.from([0x13, 0x37, 0x00, 0xff, 0x80]), 'x.bin')).toBe('refused:unknown_binary');
  });

  it('calls an empty file empty', () => {
    expect(type(Buffer.alloc(0), 'a.txt')).toBe('refused:empty');
  });
});

describe('ContentInspector: fed as the upload streams', () => {
  it('decides from the head and keeps checking that text stays text to the end', () => {
    const text = Buffer.from('line of text\n'.repeat(Math.ceil((SNIFF_HEAD_BYTES * 2) / 13)));
    const good = new ContentInspector('log.txt');
    for (let i = 0; i < text.length; i += 1000) good.push(text.subarray(i, i + 1000));
    expect(good.finish()).toEqual({ ok: true, mediaType: 'text/plain' });

    const bad = new ContentInspector('log.txt');
    bad.push(text);
    expect(bad.early).toBeNull();
    bad.push(Buffer.from([0x00, 0x01, 0x02]));
    expect(bad.finish()).toMatchObject({ ok: false, reason: 'unknown_binary' });
  });

  it('accepts a multi-byte character split across chunks, even at the end of the head', () => {
    const thai = Buffer.from('ก'.repeat(SNIFF_HEAD_BYTES)); // 3 bytes each: the head boundary falls inside one
    const i = new ContentInspector('th.txt');
    for (let at = 0; at < thai.length; at += 4096 + 1) i.push(thai.subarray(at, at + 4096 + 1));
    expect(i.finish()).toEqual({ ok: true, mediaType: 'text/plain' });
  });

  it('reports a refusal early, once the head is in, and keeps it', () => {
    const i = new ContentInspector('x.pdf');
    i.push(Buffer.concat([Buffer.from('MZ'), Buffer.alloc(SNIFF_HEAD_BYTES)]));
    expect(i.early).toMatchObject({ ok: false, reason: 'executable' });
    i.push(Buffer.from('%PDF-'));
    expect(i.finish()).toMatchObject({ ok: false, reason: 'executable' });
  });

  it('binary formats are not checked past the head', () => {
    const i = new ContentInspector('x.png');
    i.push(Buffer.concat([bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(SNIFF_HEAD_BYTES)]));
    i.push(Buffer.from([0, 1, 2, 0xff]));
    expect(i.finish()).toEqual({ ok: true, mediaType: 'image/png' });
  });
});

describe('media type helpers', () => {
  it('serves text as UTF-8 and everything else as is', () => {
    expect(contentTypeHeader('text/csv')).toBe('text/csv; charset=utf-8');
    expect(contentTypeHeader('application/pdf')).toBe('application/pdf');
  });

  it('has an extension for every sniffable type; HTML is sniffable but not allowed by default', () => {
    for (const t of SNIFFABLE_TYPES) expect(extensionFor(t)).not.toBe('bin');
    expect(DEFAULT_ALLOWED_TYPES).not.toContain('text/html');
    expect(DEFAULT_ALLOWED_TYPES).toContain('application/vnd.cyclonedx+json');
  });
});
