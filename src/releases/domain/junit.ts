// JUnit XML test reports (issue 18): the counts and the failed cases a release's `tests_passed` gate reads.
// Pure. The counts come from the <testcase> elements themselves, never from the suites' `tests`/`failures`
// attributes (tools disagree on them, and a hand-edited report could claim anything). Hostile input is
// refused before parsing: bytes that are not UTF-8, NUL bytes, any DOCTYPE (so no entity can be declared,
// let alone expanded), more than MAX_DEPTH nested elements, more than MAX_TEST_CASES cases.
import type * as FastXmlParser from 'fast-xml-parser';
import { lazyModule, onFirstUse } from '../../common/lazy-module';
import type { AttachmentProblem, Parsed, TestReportSummary } from './release-model';

/** Elements nested deeper than this are refused (real reports nest suites a few levels at most). */
export const JUNIT_MAX_DEPTH = 64;
/** More test cases than this are refused: a larger report is not a test run this product does. */
export const JUNIT_MAX_TEST_CASES = 200_000;
/** Failed cases listed in the summary; `failures + errors` is the full count. */
export const JUNIT_MAX_FAILED_LISTED = 100;
const MAX_MESSAGE = 500;

type Element = Record<string, unknown>;

/** Elements that may repeat, always read as arrays so `[n]` in a path is stable. */
const REPEATED = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

/** fast-xml-parser loads with the first report, not at start-up. */
const fastXmlParser = lazyModule<typeof FastXmlParser>('fast-xml-parser');
const parser = onFirstUse(
  () =>
    new (fastXmlParser().XMLParser)({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      textNodeName: '#text',
      parseTagValue: false,
      parseAttributeValue: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      // The predefined entities and character references (and HTML's named ones, which some tools write); a
      // DOCTYPE is refused before parsing, so no entity a report declares is ever expanded.
      processEntities: true,
      htmlEntities: true,
      maxNestedTags: JUNIT_MAX_DEPTH,
      isArray: (name, _path, _leaf, isAttribute) => !isAttribute && REPEATED.has(name),
    }),
);

const fail = (field: string, message: string): Parsed<TestReportSummary> => ({
  ok: false,
  problems: [{ field, message }],
});

/** Decodes UTF-8 strictly (a BOM is dropped); null when the bytes are not UTF-8. */
function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Whether a DOCTYPE appears anywhere outside comments and CDATA sections. Anywhere, not only in the prolog:
 * the parser would read entity declarations from a DOCTYPE inside an element too. Inside CDATA (a captured
 * HTML page in <system-out>) it is only text.
 */
function hasDoctype(text: string): boolean {
  // A linear scan (a lazy regex would go quadratic on many unterminated comments). An unterminated comment or
  // CDATA section hides the rest, which is then not well-formed XML and refused by the validator.
  let i = 0;
  for (;;) {
    const at = text.indexOf('<!', i);
    if (at < 0) return false;
    const close = text.startsWith('<!--', at) ? '-->' : text.startsWith('<![CDATA[', at) ? ']]>' : null;
    if (close) {
      const end = text.indexOf(close, at + 4);
      if (end < 0) return false;
      i = end + close.length;
    } else if (text.slice(at + 2, at + 9).toUpperCase() === 'DOCTYPE') return true;
    else i = at + 2;
  }
}

/**
 * Parses a JUnit XML report: a `<testsuites>` root or a single `<testsuite>` root, suites possibly nested.
 * Each `<testcase>` counts once: as an error when it has an `<error>` child, else as a failure when it has a
 * `<failure>`, else as skipped when it has a `<skipped>` (surefire's `<flakyFailure>`/`<rerunFailure>` are
 * retries of a case that passed in the end, so they count as passed). Problems name the element by its path,
 * `/testsuites/testsuite[2]/testcase[5]` (1-based, per element name, as XPath counts).
 */
export function parseJUnit(bytes: Buffer): Parsed<TestReportSummary> {
  const text = decodeUtf8(bytes);
  if (text === null) return fail('/', 'is not UTF-8 text');
  if (text.includes('\u0000')) return fail('/', 'contains NUL bytes: not an XML text file');
  if (hasDoctype(text)) return fail('/', 'has a DOCTYPE: JUnit reports need none, and entities are refused');
  if (!text.trim()) return fail('/', 'is empty');
  const valid = fastXmlParser().XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const where = typeof col === 'number' ? `line ${line}, column ${col}` : `line ${line}`;
    return fail('/', `is not well-formed XML (${where}): ${msg}`);
  }
  let doc: Element;
  try {
    doc = parser().parse(text) as Element;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/nested/i.test(message)) return fail('/', `nests elements more than ${JUNIT_MAX_DEPTH} levels deep`);
    return fail('/', `could not be read as XML: ${message}`);
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith('#') && !k.startsWith('?'));
  if (roots.length !== 1 || (roots[0] !== 'testsuites' && roots[0] !== 'testsuite'))
    return fail(
      '/',
      `has no testsuite element: the root must be <testsuites> or <testsuite>, ${roots.length ? `not <${roots.join('>, <')}>` : 'and there is no element at all'}`,
    );
  const counter = new Counter();
  const root = roots[0];
  if (root === 'testsuites') {
    const el = asElement(doc.testsuites);
    const suites = children(el, 'testsuite');
    if (!suites.length) return fail('/testsuites', 'has no testsuite element');
    suites.forEach((s, i) => counter.suite(s, `/testsuites/testsuite[${i + 1}]`));
  } else {
    // isArray makes even the single root an array; a second root is not well-formed, so it has one entry.
    counter.suite(children(doc, 'testsuite')[0], '/testsuite');
  }
  if (counter.problems.length) return { ok: false, problems: counter.problems };
  const { tests, failures, errors, skipped, failed } = counter;
  return {
    ok: true,
    value: { tests, failures, errors, skipped, failed, passed: tests > 0 && failures + errors === 0 },
  };
}

class Counter {
  tests = 0;
  failures = 0;
  errors = 0;
  skipped = 0;
  failed: TestReportSummary['failed'] = [];
  problems: AttachmentProblem[] = [];

  suite(el: Element, path: string): void {
    if (this.problems.length) return;
    const name = attribute(el, 'name') ?? '';
    children(el, 'testcase').forEach((c, i) => this.testCase(c, name, `${path}/testcase[${i + 1}]`));
    children(el, 'testsuite').forEach((s, i) => this.suite(s, `${path}/testsuite[${i + 1}]`));
  }

  private testCase(el: Element, suite: string, path: string): void {
    if (this.problems.length) return;
    this.tests++;
    if (this.tests > JUNIT_MAX_TEST_CASES) {
      this.problems.push({ field: path, message: `more than ${JUNIT_MAX_TEST_CASES} test cases: refused` });
      return;
    }
    const caseName = attribute(el, 'name');
    if (caseName === null) {
      this.problems.push({ field: path, message: 'has no name attribute' });
      return;
    }
    const className = attribute(el, 'classname');
    const error = children(el, 'error')[0];
    const failure = children(el, 'failure')[0];
    if (error || failure) {
      if (error) this.errors++;
      else this.failures++;
      if (this.failed.length < JUNIT_MAX_FAILED_LISTED)
        this.failed.push({
          suite: suite || className || '',
          // JUnit writes the class and the method apart; jest-junit repeats the title as the class name.
          name: className && className !== suite && className !== caseName ? `${className}.${caseName}` : caseName,
          message: messageOf(error ?? failure),
        });
    } else if (children(el, 'skipped').length) this.skipped++;
  }
}

function asElement(v: unknown): Element {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Element) : {};
}

/** The child elements called `name` (`<x/>` parses as "", so empty elements count too). */
function children(el: Element, name: string): Element[] {
  const v = el[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((c) => (typeof c === 'string' ? { '#text': c } : asElement(c)));
}

function attribute(el: Element, name: string): string | null {
  const v = el[`@_${name}`];
  return typeof v === 'string' ? v : null;
}

/** The `message` attribute, else the first non-blank line of the element's text; at most 500 characters. */
function messageOf(el: Element): string {
  const attr = attribute(el, 'message')?.trim();
  const text = typeof el['#text'] === 'string' ? el['#text'] : '';
  const line =
    attr ||
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ||
    attribute(el, 'type') ||
    '';
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}
