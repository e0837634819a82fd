import { asciiFilename, cleanFilename, contentDisposition, nameForType } from './file-names';

describe('cleanFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\somchai\\Desktop\\review.xlsx', 'review.xlsx'],
    ['..', 'fallback.bin'],
    ['.hidden', 'hidden'],
    ['', 'fallback.bin'],
    [undefined, 'fallback.bin'],
    ['line\r\nbreak\x00.txt', 'linebreak.txt'],
    ['evil\u202Efdp.exe', 'evilfdp.exe'],
    ['  spaced   out  .csv ', 'spaced out .csv'],
    ['รายงาน ไตรมาส 4.pdf', 'รายงาน ไตรมาส 4.pdf'],
  ])('%j → %j', (input, expected) => {
    expect(cleanFilename(input, 'fallback.bin')).toBe(expected);
  });

  it('trims long names to 200 characters, keeping the extension', () => {
    const long = cleanFilename(`${'a'.repeat(500)}.pdf`, 'x');
    expect([...long]).toHaveLength(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});

describe('contentDisposition (RFC 6266 with RFC 8187 filename*)', () => {
  it('gives an ASCII filename and a UTF-8 filename*', () => {
    expect(contentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(contentDisposition('รายงาน.pdf')).toBe(
      `attachment; filename="______.pdf"; filename*=UTF-8''%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B8%87%E0%B8%B2%E0%B8%99.pdf`,
    );
  });

  it('cannot be broken out of: quotes, semicolons, backslashes, line breaks', () => {
    const header = contentDisposition('a"; filename="evil.exe\r\nX-Injected: 1.txt');
    expect(header).not.toMatch(/[\r\n]/);
    const ascii = header.match(/filename="([^"]*)"/)![1];
    expect(ascii).toBe('a__ filename=_evil.exeX-Injected: 1.txt');
    expect(header).toContain(`filename*=UTF-8''a%22%3B%20filename%3D%22evil.exeX-Injected%3A%201.txt`);
    expect(contentDisposition('dir\\name.txt')).toBe(`attachment; filename="name.txt"; filename*=UTF-8''name.txt`);
  });

  it('asciiFilename replaces what old clients would misread', () => {
    expect(asciiFilename('50% off "deal".txt')).toBe('50_ off _deal_.txt');
  });
});

describe('nameForType', () => {
  it.each([
    ['report.pdf', 'application/pdf', 'report.pdf'],
    ['Photo.JPEG', 'image/jpeg', 'Photo.JPEG'],
    ['page.html', 'text/plain', 'page.html.txt'],
    ['invoice.pdf', 'image/png', 'invoice.pdf.png'],
    ['notes', 'text/markdown', 'notes.md'],
    ['bom.json', 'application/vnd.cyclonedx+json', 'bom.json'],
    ['.txt', 'text/plain', '.txt.txt'],
  ])('%s holding %s is kept as %s', (name, type, kept) => {
    expect(nameForType(name, type)).toBe(kept);
  });
});
