// Every reader of files people supply, fed hostile variants of the real files (issue 20): the catalog
// (controls, frameworks, departments), the risk matrix, document types, the incident policy, the release gates,
// policies as Markdown with front matter, data-system YAML, the risk register CSV, audit-pack ZIPs, and the
// attachments CI sends with a release (JUnit XML, CycloneDX SBOMs, scanner reports). The invariant is
// the same for all: the reader returns (never throws an unexpected error, never hangs on a bomb), and what it
// refuses it refuses with problems that name the file (or row and column) and a line, in words, not a
// JavaScript error. Seeded: HOSTILE_SEED reproduces a run, HOSTILE_RUNS makes it longer.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { ZipFile } from 'yazl';
import {
  CERTIFICATE_NAME,
  MANIFEST_NAME,
  MANIFEST_SIG_NAME,
  PDF_NAME,
} from '../../src/audit-packs/domain/pack-manifest';
import { verifyPack } from '../../src/audit-packs/pack-verifier';
import { loadCatalog } from '../../src/catalog/catalog-loader';
import type { CatalogProblem } from '../../src/catalog/domain/catalog-model';
import { ValidationError } from '../../src/common/errors/app-error';
import { loadDocumentTypes } from '../../src/documents/document-types-loader';
import { readPolicyDir } from '../../src/documents/policy-files';
import { parseDataSystemYaml } from '../../src/dsr/domain/data-map';
import { loadIncidentPolicy } from '../../src/incidents/incident-policy-loader';
import { parseRiskCsv, riskCsv } from '../../src/risks/domain/risk-csv';
import { parseCycloneDx } from '../../src/releases/domain/cyclonedx';
import { parseJUnit } from '../../src/releases/domain/junit';
import type { AttachmentProblem, Parsed } from '../../src/releases/domain/release-model';
import { parseGitleaks, parseNpmAudit, parseOsv } from '../../src/releases/domain/scanners';
import { loadReleaseGates } from '../../src/releases/release-gates-loader';
import { loadRiskMatrix } from '../../src/risks/risk-matrix-loader';
import { EDGE_TEXTS, hostileRuns, hostileVariant } from '../support/hostile-text';

const ROOT = join(__dirname, '..', '..');
/** Words a JavaScript failure leaks into a message; people must get the rule that was broken instead. */
const JS_FAILURE =
  /Cannot read prop|is not a function|is not iterable|undefined is not|\[object Object\]|TypeError|Maximum call stack/;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'attest-hostile-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // No hostile key reached an object's prototype.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

function expectNamedProblems(problems: CatalogProblem[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.file).toEqual(expect.any(String));
    expect(p.file.length).toBeGreaterThan(0);
    expect(Number.isInteger(p.line) && p.line >= 1).toBe(true);
    expect(p.message).toEqual(expect.any(String));
    expect(p.message.trim().length).toBeGreaterThan(0);
    expect(p.message).not.toMatch(JS_FAILURE);
  }
}

/** A copy of controls/ in which `file` is replaced by each hostile variant in turn. */
function catalogFileProperty(
  file: string,
  load: (dir: string) => { ok: boolean; problems: CatalogProblem[] },
  runs: number,
) {
  const dir = mkdtempSync(join(work, 'controls-'));
  cpSync(join(ROOT, 'controls'), dir, { recursive: true });
  const good = readFileSync(join(dir, file), 'utf8');
  expect(load(dir)).toEqual({ ok: true, problems: [] });
  fc.assert(
    fc.property(hostileVariant(good), (text) => {
      writeFileSync(join(dir, file), text);
      const { ok, problems } = load(dir);
      if (!ok) expectNamedProblems(problems);
      else expect(problems).toEqual([]);
    }),
    { ...hostileRuns(runs), examples: EDGE_TEXTS },
  );
}

describe('catalog files', () => {
  const catalog = (dir: string) => {
    const r = loadCatalog(dir);
    return { ok: r.catalog !== null, problems: r.problems };
  };
  const controlFile = join('controls', readdirSync(join(ROOT, 'controls', 'controls')).sort()[0]);
  const frameworkFile = join('frameworks', readdirSync(join(ROOT, 'controls', 'frameworks')).sort()[0]);

  it(`a hostile ${controlFile} is refused with its file and line`, () => catalogFileProperty(controlFile, catalog, 15));
  it(`a hostile ${frameworkFile} is refused with its file and line`, () =>
    catalogFileProperty(frameworkFile, catalog, 10));
  it('a hostile departments.yaml is refused with its file and line', () =>
    catalogFileProperty('departments.yaml', catalog, 10));
  it('a hostile risk-matrix.yaml is refused with its file and line', () =>
    catalogFileProperty(
      'risk-matrix.yaml',
      (dir) => {
        const r = loadRiskMatrix(dir);
        return { ok: r.matrix !== null, problems: r.problems };
      },
      40,
    ));
  it('a hostile document-types.yaml is refused with its file and line', () =>
    catalogFileProperty(
      'document-types.yaml',
      (dir) => {
        const r = loadDocumentTypes(dir);
        return { ok: r.types !== null, problems: r.problems };
      },
      40,
    ));
  it('a hostile incident-policy.yaml is refused with its file and line', () =>
    catalogFileProperty(
      'incident-policy.yaml',
      (dir) => {
        const r = loadIncidentPolicy(dir);
        return { ok: r.policy !== null, problems: r.problems };
      },
      40,
    ));
  it('a hostile release-gates.yaml is refused with its file and line', () =>
    catalogFileProperty(
      'release-gates.yaml',
      (dir) => {
        const r = loadReleaseGates(dir);
        return { ok: r.policy !== null, problems: r.problems };
      },
      40,
    ));
});

describe('policies as Markdown with front matter', () => {
  it('a hostile policy file is refused with its file and line, and never half-read', () => {
    const dir = mkdtempSync(join(work, 'policies-'));
    const name = readdirSync(join(ROOT, 'policies'))
      .filter((n) => n.endsWith('.md'))
      .sort()[0];
    const good = readFileSync(join(ROOT, 'policies', name), 'utf8');
    fc.assert(
      fc.property(hostileVariant(good), (text) => {
        writeFileSync(join(dir, name), text);
        const { files, problems } = readPolicyDir(dir);
        if (problems.length) {
          expect(files).toEqual([]);
          expectNamedProblems(problems);
          for (const p of problems) expect(p.file).toBe(name);
        } else {
          expect(files).toHaveLength(1);
          expect(files[0].content).not.toContain('\u0000');
        }
      }),
      { ...hostileRuns(60), examples: EDGE_TEXTS },
    );
  });
});

describe('data-system YAML', () => {
  const good = [
    'key: paper-files',
    'name: Paper files',
    'kind: manual',
    'owner: { department: engineering }',
    'description: Signed consent forms kept in the records room.',
    'manual:',
    '  checklist: [Find the folder, Shred the pages, Record the shredding]',
    '',
  ].join('\n');

  it('a hostile definition is a validation error whose problems name a field or a line', () => {
    expect(parseDataSystemYaml(good).key).toBe('paper-files');
    fc.assert(
      fc.property(hostileVariant(good), (text) => {
        try {
          parseDataSystemYaml(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
          const errors = (e as ValidationError).errors ?? [];
          expect(errors.length).toBeGreaterThan(0);
          for (const p of errors) {
            expect(p.field !== '' || /^line \d+: /.test(p.message)).toBe(true);
            expect(p.message).not.toMatch(JS_FAILURE);
          }
        }
      }),
      { ...hostileRuns(80), examples: EDGE_TEXTS },
    );
  });
});

describe('risk register CSV', () => {
  const matrix = loadRiskMatrix(join(ROOT, 'controls')).matrix!;
  const good = [
    'register,ref,product,title,hazard,hazardous_situation,harm,severity,p1,p2,probability,level,residual_severity,residual_probability,benefit_risk,status,treatment,due_on,owner_user_id',
    'iso14971,HAZ-001,App,Wrong triage,Wrong advice,Patient follows advice,Delayed care,S4,probable,probable,,unacceptable,S4,improbable,,open,,,',
    'security,SEC-001,App,Token leak,,,,I3,,,L4,,,,,open,mitigate,2026-12-31,',
    '',
  ].join('\n');

  it('a hostile file is refused whole, each problem named by row and column', () => {
    expect(parseRiskCsv(matrix, good).problems).toEqual([]);
    fc.assert(
      fc.property(hostileVariant(good), (text) => {
        const { rows, problems } = parseRiskCsv(matrix, text);
        if (problems.length === 0) return;
        expect(rows).toEqual([]);
        for (const p of problems) {
          expect(Number.isInteger(p.row) && p.row >= 1).toBe(true);
          expect(p.column.length).toBeGreaterThan(0);
          expect(p.message).not.toMatch(JS_FAILURE);
        }
      }),
      { ...hostileRuns(80), examples: EDGE_TEXTS },
    );
  });

  it('what the export writes, the import reads back, whatever the text holds', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('\u0000'));
    fc.assert(
      fc.property(text, text, (title, harm) => {
        const cell = (t: string) => t.trim() || 'x';
        const { rows, problems } = parseRiskCsv(
          matrix,
          riskCsv([
            {
              register: 'iso14971',
              ref: 'HAZ-001',
              product: 'App',
              title: cell(title),
              hazard: 'h',
              sequenceOfEvents: null,
              hazardousSituation: 's',
              harm: cell(harm),
              severity: 'S3',
              p1: null,
              p2: null,
              probability: 'occasional',
              level: 'unacceptable',
              residualSeverity: null,
              residualProbability: null,
              residualLevel: null,
              benefitRisk: null,
              status: 'open',
              treatment: null,
              dueOn: null,
              ownerUserId: '',
              controls: [],
            },
          ]),
        );
        if (problems.length === 0) expect(rows[0]).toMatchObject({ title: cell(title), harm: cell(harm) });
        else for (const p of problems) expect(p.message).not.toMatch(JS_FAILURE);
      }),
      hostileRuns(60),
    );
  });
});

describe('audit-pack ZIPs', () => {
  /** A ZIP with a pack's file names and arbitrary content (what a verifier sees before any signature). */
  async function packLikeZip(): Promise<Buffer> {
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from('%PDF-1.7\n% not a real pack\n%%EOF\n'), PDF_NAME);
    zip.addBuffer(Buffer.from(JSON.stringify({ format: 'attest-audit-pack/1', files: [] })), MANIFEST_NAME);
    zip.addBuffer(Buffer.alloc(64, 1), MANIFEST_SIG_NAME, { compress: false });
    zip.addBuffer(Buffer.from('-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n'), CERTIFICATE_NAME);
    zip.addBuffer(Buffer.alloc(4096, 'evidence '), 'evidence/0001-consent.pdf');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('a damaged or crafted ZIP verifies as not ok, with the problem in words, and never throws', async () => {
    const good = await packLikeZip();
    const path = join(work, 'pack.zip');
    const damage = fc.oneof(
      fc.record({ truncateAt: fc.nat({ max: good.length }) }),
      fc.record({
        flips: fc.array(fc.record({ at: fc.nat({ max: good.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
      }),
      fc.record({ random: fc.uint8Array({ maxLength: 2048 }) }),
    );
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        let bytes: Buffer;
        if ('truncateAt' in d) bytes = good.subarray(0, d.truncateAt);
        else if ('random' in d) bytes = Buffer.from(d.random);
        else {
          bytes = Buffer.from(good);
          for (const f of d.flips) bytes[f.at] = f.byte;
        }
        writeFileSync(path, bytes);
        const result = await verifyPack(path);
        expect(result.ok).toBe(false);
        expect(result.firstProblem).toEqual(expect.any(String));
        expect(result.firstProblem).not.toMatch(JS_FAILURE);
      }),
      hostileRuns(60),
    );
  });
});

describe('release attachments', () => {
  const FIXTURES = join(ROOT, 'test', 'fixtures', 'releases');
  function expectNamedAttachmentProblems(parsed: Parsed<unknown>): void {
    if (parsed.ok) return;
    expect(parsed.problems.length).toBeGreaterThan(0);
    for (const p of parsed.problems as AttachmentProblem[]) {
      expect(p.field).toMatch(/^\//);
      expect(p.message.trim().length).toBeGreaterThan(0);
      expect(p.message).not.toMatch(JS_FAILURE);
    }
  }
  const parsers: [string, (bytes: Buffer) => Parsed<unknown> | Promise<Parsed<unknown>>][] = [
    ['junit-failing.xml', parseJUnit],
    ['sbom-2.json', parseCycloneDx],
    ['gitleaks.json', parseGitleaks],
    ['npm-audit.json', parseNpmAudit],
    ['osv.json', parseOsv],
  ];
  it.each(parsers)('a hostile %s is read or refused with the field named, never a crash', async (file, parse) => {
    const good = readFileSync(join(FIXTURES, file), 'utf8');
    await fc.assert(
      fc.asyncProperty(hostileVariant(good), async (text) => {
        expectNamedAttachmentProblems(await parse(Buffer.from(text, 'utf8')));
      }),
      { ...hostileRuns(30), examples: EDGE_TEXTS },
    );
  });
});
