import {
  buildManifest,
  evidencePath,
  isSafeEntryName,
  manifestBytes,
  parseManifest,
  safeSegment,
} from './pack-manifest';

const H = 'a'.repeat(64);

describe('safeSegment', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'etc_passwd'],
    ['a/b\\c', 'a_b_c'],
    ['.hidden', 'hidden'],
    ['รายงาน review "final".pdf', 'รายงาน_review_final_.pdf'],
    ['evil\u202Egnp.exe', 'evil_gnp.exe'],
    ['line\nbreak\t.txt', 'line_break_.txt'],
    ['', 'file'],
    ['...', 'file'],
    ['///', 'file'],
  ])('%j → %j', (input, out) => expect(safeSegment(input, 'file')).toBe(out));

  it('keeps the end (the extension) of a long name', () => {
    const s = safeSegment('x'.repeat(300) + '.pdf', 'file');
    expect([...s].length).toBeLessThanOrEqual(120);
    expect(s.endsWith('.pdf')).toBe(true);
  });
});

describe('evidencePath', () => {
  it('puts the file under its control, prefixed by its hash', () => {
    expect(evidencePath('ENG-01', H, 'a b.pdf')).toBe(`evidence/ENG-01/${H}-a_b.pdf`);
    expect(evidencePath('../x', H, '../y')).toBe(`evidence/x/${H}-y`);
    expect(isSafeEntryName(evidencePath('..', H, '..'))).toBe(true);
  });
});

describe('isSafeEntryName', () => {
  it.each([
    ['evidence/A/x', true],
    ['/abs', false],
    ['a/../b', false],
    ['a//b', false],
    ['a\\b', false],
    ['./a', false],
    ['', false],
  ])('%j → %s', (name, ok) => expect(isSafeEntryName(name)).toBe(ok));
});

describe('manifest', () => {
  const base = {
    generator: { name: 'Attest', version: '0.1.0' },
    createdAt: '2026-01-01T00:00:00.000Z',
    scope: { framework: 'soc2', from: '2025-01-01', to: '2025-12-31' },
    signer: { fingerprintSha256: H, subject: 'CN=Acme' },
  };

  it('sorts files by path, drops duplicates, names the PDF without a hash, and reads back', () => {
    const m = buildManifest({
      ...base,
      files: [
        { path: 'z', sha256: H, size: 1 },
        { path: 'certificate.pem', sha256: H, size: 2 },
        { path: 'z', sha256: H, size: 1 },
      ],
    });
    expect(m.files.map((f) => f.path)).toEqual(['certificate.pem', 'z']);
    expect(m.pdf.path).toBe('audit-pack.pdf');
    expect(parseManifest(manifestBytes(m))).toEqual(m);
    expect(manifestBytes(m).toString().endsWith('}\n')).toBe(true);
  });

  it('refuses what is not a manifest, saying why', () => {
    expect(() => parseManifest(Buffer.from('nope'))).toThrow('is not JSON');
    expect(() => parseManifest(Buffer.from('{}'))).toThrow('is not a attest-audit-pack/1 manifest');
    const m = buildManifest({ ...base, files: [] }) as unknown as Record<string, unknown>;
    expect(() =>
      parseManifest(Buffer.from(JSON.stringify({ ...m, files: [{ path: 'x', sha256: 'no', size: 1 }] }))),
    ).toThrow('files[0]');
  });
});
