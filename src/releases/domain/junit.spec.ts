import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JUNIT_MAX_FAILED_LISTED, JUNIT_MAX_TEST_CASES, parseJUnit } from './junit';
import type { AttachmentProblem, Parsed, TestReportSummary } from './release-model';

const FIXTURES = join(__dirname, '../../../test/fixtures/releases');
const xml = (s: string) => Buffer.from(s, 'utf8');

function value(p: Parsed<TestReportSummary>): TestReportSummary {
  if (!p.ok) throw new Error(`expected a summary, got ${JSON.stringify(p.problems)}`);
  return p.value;
}
function problems(p: Parsed<TestReportSummary>): AttachmentProblem[] {
  if (p.ok) throw new Error(`expected problems, got ${JSON.stringify(p.value)}`);
  return p.problems;
}

describe('parseJUnit', () => {
  it('reads a jest-junit report: counts and the failed cases with their messages', () => {
    const summary = value(parseJUnit(readFileSync(join(FIXTURES, 'junit-failing.xml'))));
    expect(summary).toEqual({
      tests: 6,
      failures: 1,
      errors: 1,
      skipped: 1,
      failed: [
        {
          suite: 'src/risks/domain/risk-level.spec.ts',
          name: 'riskLevel scores 5x5 as critical',
          message: 'expect(received).toBe(expected) // Object.is equality',
        },
        { suite: 'test/e2e/releases.e2e-spec.ts', name: 'releases creates a release', message: 'TypeError: boom <x>' },
      ],
      passed: false,
    });
  });

  it('passes a report where every case passed or was skipped', () => {
    const summary = value(parseJUnit(readFileSync(join(FIXTURES, 'junit-passing.xml'))));
    expect(summary).toMatchObject({ tests: 3, failures: 0, errors: 0, skipped: 1, failed: [], passed: true });
  });

  it('accepts a single <testsuite> root and nested suites', () => {
    const report = `<?xml version="1.0" encoding="UTF-8"?>
      <testsuite name="outer" tests="1">
        <testcase classname="Outer" name="a"/>
        <testsuite name="inner"><testcase classname="Inner" name="b"><failure>expected 1
          at line 2</failure></testcase></testsuite>
      </testsuite>`;
    expect(value(parseJUnit(xml(report)))).toEqual({
      tests: 2,
      failures: 1,
      errors: 0,
      skipped: 0,
      failed: [{ suite: 'inner', name: 'Inner.b', message: 'expected 1' }],
      passed: false,
    });
  });

  it('counts the cases, not the suite attributes, when they disagree', () => {
    const report = `<testsuites tests="100" failures="0"><testsuite name="s" tests="100" failures="0" errors="0">
      <testcase name="a"/><testcase name="b"><failure message="no"/></testcase></testsuite></testsuites>`;
    expect(value(parseJUnit(xml(report)))).toMatchObject({ tests: 2, failures: 1, passed: false });
  });

  it('counts a case with an error as an error even when it also has a failure, and retries as passed', () => {
    const report = `<testsuite name="s">
      <testcase name="a"><failure message="f"/><error message="e"/></testcase>
      <testcase name="b"><flakyFailure message="first try"/></testcase></testsuite>`;
    expect(value(parseJUnit(xml(report)))).toMatchObject({ tests: 2, failures: 0, errors: 1, passed: false });
  });

  it('does not pass a report without any test case', () => {
    expect(value(parseJUnit(xml('<testsuites><testsuite name="empty" tests="0"/></testsuites>')))).toMatchObject({
      tests: 0,
      passed: false,
    });
  });

  it('lists at most 100 failed cases but counts them all', () => {
    const cases = Array.from({ length: 150 }, (_, i) => `<testcase name="t${i}"><failure message="m"/></testcase>`);
    const summary = value(parseJUnit(xml(`<testsuite name="s">${cases.join('')}</testsuite>`)));
    expect(summary.failures).toBe(150);
    expect(summary.failed).toHaveLength(JUNIT_MAX_FAILED_LISTED);
  });

  it('decodes the predefined entities and strips a UTF-8 BOM; keeps Thai text', () => {
    const report =
      '\uFEFF<testsuite name="ไทย"><testcase name="ก"><failure message="a &amp; b &#x3C; c"/></testcase></testsuite>';
    expect(value(parseJUnit(xml(report))).failed).toEqual([{ suite: 'ไทย', name: 'ก', message: 'a & b < c' }]);
  });

  it('reads a DOCTYPE inside CDATA or a comment as text (a captured HTML page in the output)', () => {
    const report = `<!-- <!DOCTYPE not-this> --><testsuite name="s"><testcase name="page">
      <failure message="bad page"/><system-out><![CDATA[<!DOCTYPE html><html lang="th"></html>]]></system-out>
      </testcase></testsuite>`;
    expect(value(parseJUnit(xml(report)))).toMatchObject({ tests: 1, failures: 1 });
  });

  describe('refuses', () => {
    it.each([
      ['text that is not XML', 'this is not xml', /not well-formed XML \(line 1, column 1\)/],
      ['JSON', '{"tests": 3}', /not well-formed XML/],
      ['an unclosed element', '<testsuite name="s"><testcase name="a"></testsuite>', /not well-formed XML/],
      ['an empty file', '  \n', /is empty/],
      ['NUL bytes', '<testsuite name="s">\u0000</testsuite>', /NUL bytes/],
      ['a DOCTYPE', '<!DOCTYPE testsuite><testsuite name="s"/>', /DOCTYPE/],
      [
        'entity declarations (billion laughs)',
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><testsuite name="&lol2;"/>',
        /DOCTYPE/,
      ],
      ['a lower-case doctype', '<!doctype x><testsuite name="s"/>', /DOCTYPE/],
      [
        'a DOCTYPE inside an element, declaring an entity',
        '<testsuite name="s"><!DOCTYPE x [<!ENTITY e "boom">]><testcase name="&e;"/></testsuite>',
        /DOCTYPE/,
      ],
      ['another root element', '<html><body/></html>', /no testsuite element.*not <html>/],
      [
        'only a comment',
        '<?xml version="1.0"?><!-- nothing ran -->',
        /^is not well-formed XML \(line 1\): Start tag expected/,
      ],
      [
        'deep nesting',
        `<testsuite name="s">${'<a>'.repeat(200)}${'</a>'.repeat(200)}</testsuite>`,
        /more than 64 levels/,
      ],
    ])('%s, naming the whole file', (_what, text, message) => {
      expect(problems(parseJUnit(xml(text)))).toEqual([{ field: '/', message: expect.stringMatching(message) }]);
    });

    it('a million unterminated comments, in linear time', () => {
      const started = Date.now();
      expect(problems(parseJUnit(xml(`<testsuite name="s">${'<!--'.repeat(1_000_000)}`)))[0].field).toBe('/');
      expect(Date.now() - started).toBeLessThan(20_000); // quadratic would take hours; room for a loaded machine
    });

    it('bytes that are not UTF-8', () => {
      expect(problems(parseJUnit(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e])))).toEqual([
        { field: '/', message: 'is not UTF-8 text' },
      ]);
    });

    it('a <testsuites> without a suite', () => {
      expect(problems(parseJUnit(xml('<testsuites/>')))).toEqual([
        { field: '/testsuites', message: 'has no testsuite element' },
      ]);
    });

    it('a test case without a name, naming its path', () => {
      const report = `<testsuites><testsuite name="a"><testcase name="x"/></testsuite>
        <testsuite name="b"><testcase name="1"/><testcase name="2"/><testcase name="3"/><testcase name="4"/>
        <testcase classname="nameless"/></testsuite></testsuites>`;
      expect(problems(parseJUnit(xml(report)))).toEqual([
        { field: '/testsuites/testsuite[2]/testcase[5]', message: 'has no name attribute' },
      ]);
    });

    it(`more than ${JUNIT_MAX_TEST_CASES} test cases`, () => {
      const report = `<testsuite name="s">${'<testcase name="t"/>'.repeat(JUNIT_MAX_TEST_CASES + 1)}</testsuite>`;
      expect(problems(parseJUnit(xml(report)))).toEqual([
        {
          field: `/testsuite/testcase[${JUNIT_MAX_TEST_CASES + 1}]`,
          message: `more than ${JUNIT_MAX_TEST_CASES} test cases: refused`,
        },
      ]);
    });

    it('accepts suites nested ten deep, as real reports never go near the limit', () => {
      const report = `${'<testsuite name="s">'.repeat(10)}<testcase name="t"/>${'</testsuite>'.repeat(10)}`;
      expect(value(parseJUnit(xml(report)))).toMatchObject({ tests: 1, passed: true });
    });
  });
});
