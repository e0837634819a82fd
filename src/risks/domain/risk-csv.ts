// The register as CSV: the columns, each row checked into a risk's fields with problems named by row and
// column (the header is row 1, as a spreadsheet shows it), and the export. Levels are written on export
// and ignored on import: they are always computed from the matrix.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { hasNulCharacter, NUL_CHARACTER_MESSAGE } from '../../common/text/nul-characters';
import { scaleFor, type RiskMatrixFile } from './risk-matrix';
import {
  assess,
  chainIssues,
  ControlSnapshot,
  RISK_CONTROL_TYPES,
  RISK_REGISTERS,
  RISK_STATUSES,
  RISK_TREATMENTS,
  RiskControlType,
  RiskRegister,
  RiskSnapshot,
  RiskStatus,
  RiskTreatment,
} from './risk-model';

/** Column → field of RiskFields (null: written on export, ignored on import). */
export const CSV_COLUMNS = {
  register: 'register',
  ref: 'ref',
  product: 'product',
  title: 'title',
  hazard: 'hazard',
  sequence_of_events: 'sequenceOfEvents',
  hazardous_situation: 'hazardousSituation',
  harm: 'harm',
  severity: 'severity',
  p1: 'p1',
  p2: 'p2',
  probability: 'probability',
  level: null,
  residual_severity: 'residualSeverity',
  residual_probability: 'residualProbability',
  residual_level: null,
  benefit_risk: 'benefitRisk',
  status: 'status',
  treatment: 'treatment',
  due_on: 'dueOn',
  owner_user_id: 'ownerUserId',
  // The risk controls as a JSON array (see CsvControl); the column is optional: a file without it leaves
  // each risk's controls as they are, an empty cell means no controls.
  controls: 'controls',
} as const;
export type CsvColumn = keyof typeof CSV_COLUMNS;
const REQUIRED_COLUMNS: CsvColumn[] = ['register', 'ref', 'product', 'title', 'severity'];

export const REF_PATTERN = /^[A-Z][A-Z0-9]{1,9}-\d{1,5}$/;
export const CONTROL_KEY_PATTERN = /^[A-Z]{2,5}-\d{2,3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const TEXT_LIMITS = { product: 100, title: 300, long: 4000 } as const;

/** A risk's own fields as people give them (API body or CSV row); levels are not among them. */
export interface RiskFields {
  register: RiskRegister;
  ref: string;
  product: string;
  title: string;
  hazard: string | null;
  sequenceOfEvents: string | null;
  hazardousSituation: string | null;
  harm: string | null;
  severity: string;
  probability: string | null;
  p1: string | null;
  p2: string | null;
  residualSeverity: string | null;
  residualProbability: string | null;
  benefitRisk: string | null;
  status: RiskStatus;
  treatment: RiskTreatment | null;
  dueOn: string | null;
  /** null: the importer. */
  ownerUserId: string | null;
}

/** A risk control as the `controls` cell holds it (the API's shape): catalog control by key, evidence and arising risks. */
export interface CsvControl {
  type: RiskControlType;
  description: string;
  controlKey: string | null;
  implementationEvidence: string[];
  effectivenessEvidence: string[];
  arisingRisks: string[];
}

const csvControlSchema = z
  .array(
    z
      .object({
        type: z.enum(RISK_CONTROL_TYPES),
        description: z
          .string()
          .trim()
          .min(1, 'must not be empty')
          .max(TEXT_LIMITS.long, `must be at most ${TEXT_LIMITS.long} characters`),
        controlKey: z.string().regex(CONTROL_KEY_PATTERN, 'must be a control key like CLN-02').nullable().default(null),
        implementationEvidence: z.array(z.string().regex(UUID, 'must be an evidence id')).max(50).default([]),
        effectivenessEvidence: z.array(z.string().regex(UUID, 'must be an evidence id')).max(50).default([]),
        arisingRisks: z.array(z.string().regex(REF_PATTERN, 'must be a risk ref like HAZ-001')).max(50).default([]),
      })
      .strict(),
  )
  .max(50, 'at most 50 controls');

/** The `controls` cell: empty (no controls) or a JSON array of controls; problems name the control and field. */
export function parseControlsCell(cell: string): { controls: CsvControl[] | null; problems: string[] } {
  if (cell.trim() === '') return { controls: [], problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(cell);
  } catch {
    return {
      controls: null,
      problems: [
        'must be a JSON array of controls, e.g. [{"type":"protective_measure","description":"…","controlKey":"CLS-02"}]',
      ],
    };
  }
  const parsed = csvControlSchema.safeParse(json);
  if (parsed.success) return { controls: parsed.data, problems: [] };
  const where = (path: PropertyKey[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return {
    controls: null,
    problems: parsed.error.issues.map((i) => `${i.path.length ? `${where(i.path)}: ` : ''}${i.message}`),
  };
}

/** A risk's controls as the `controls` cell writes them (empty when there are none). */
export function controlsCell(controls: ControlSnapshot[]): string {
  if (controls.length === 0) return '';
  return JSON.stringify(
    controls.map((c) => ({
      type: c.type,
      description: c.description,
      controlKey: c.controlKey,
      implementationEvidence: c.implementationEvidenceIds,
      effectivenessEvidence: c.effectivenessEvidenceIds,
      arisingRisks: c.arisingRiskRefs,
    })),
  );
}

export interface CsvProblem {
  /** Row number as a spreadsheet shows it: the header is row 1. */
  row: number;
  column: string;
  message: string;
}

export function formatCsvProblem(p: CsvProblem): string {
  return `row ${p.row}, ${p.column}: ${p.message}`;
}

const FIELD_TO_COLUMN = new Map(Object.entries(CSV_COLUMNS).flatMap(([c, f]) => (f ? [[f as string, c]] : [])));

/** Export's formula guard undone: a leading ' before = + - @ tab or CR is dropped. */
const unguard = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

/** Reads one row's cells by column; every problem found is added to `problems` with the row number. */
function rowReader(cells: Partial<Record<CsvColumn, string>>, row: number, problems: CsvProblem[]) {
  const problem = (column: string, message: string) => problems.push({ row, column, message });
  const get = (c: CsvColumn): string | null => {
    const v = unguard((cells[c] ?? '').trim());
    return v === '' ? null : v;
  };
  const required = (c: CsvColumn) => {
    const v = get(c);
    if (v === null) problem(c, 'is required');
    return v;
  };
  const limited = (c: CsvColumn, max: number) => {
    const v = get(c);
    if (v !== null && v.length > max) problem(c, `must be at most ${max} characters`);
    return v;
  };
  const oneOf = <T extends string>(c: CsvColumn, values: readonly T[], fallback: T | null): T | null => {
    const v = get(c);
    if (v === null) return fallback;
    if (!(values as readonly string[]).includes(v)) {
      problem(c, `must be one of ${values.join(', ')}`);
      return fallback;
    }
    return v as T;
  };
  return { problem, get, required, limited, oneOf };
}

type RowReader = ReturnType<typeof rowReader>;

/** The row's register, reference, product, title, severity, status, treatment, due day and owner, checked. */
function readRiskHead({ problem, get, required, limited, oneOf }: RowReader) {
  const register = required('register') === null ? null : oneOf('register', RISK_REGISTERS, null);
  const ref = required('ref');
  if (ref !== null && !REF_PATTERN.test(ref)) problem('ref', 'must look like HAZ-001');
  const product = required('product') === null ? null : limited('product', TEXT_LIMITS.product);
  const title = required('title') === null ? null : limited('title', TEXT_LIMITS.title);
  const severity = required('severity');
  const status = oneOf('status', RISK_STATUSES, 'open');
  const treatment = oneOf('treatment', RISK_TREATMENTS, null);
  const dueOn = get('due_on');
  if (
    dueOn !== null &&
    (!DAY.test(dueOn) ||
      Number.isNaN(Date.parse(`${dueOn}T00:00:00Z`)) ||
      new Date(`${dueOn}T00:00:00Z`).toISOString().slice(0, 10) !== dueOn)
  )
    problem('due_on', 'must be a day like 2026-12-31');
  const ownerUserId = get('owner_user_id');
  if (ownerUserId !== null && !UUID.test(ownerUserId))
    problem('owner_user_id', 'must be a user id (or empty for yourself)');
  return { register, ref, product, title, severity, status, treatment, dueOn, ownerUserId };
}

/** Checks one row's cells (by column) into risk fields. Pure, so each rule is unit-tested. */
export function checkRow(
  m: RiskMatrixFile,
  cells: Partial<Record<CsvColumn, string>>,
  row: number,
): { fields: RiskFields | null; controls?: CsvControl[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const reader = rowReader(cells, row, problems);
  const { problem, get, limited } = reader;
  const { register, ref, product, title, severity, status, treatment, dueOn, ownerUserId } = readRiskHead(reader);
  const texts = {
    hazard: limited('hazard', TEXT_LIMITS.long),
    sequenceOfEvents: limited('sequence_of_events', TEXT_LIMITS.long),
    hazardousSituation: limited('hazardous_situation', TEXT_LIMITS.long),
    harm: limited('harm', TEXT_LIMITS.long),
    benefitRisk: limited('benefit_risk', TEXT_LIMITS.long),
  };
  if (register !== null)
    for (const i of chainIssues(register, texts)) problem(FIELD_TO_COLUMN.get(i.field)!, i.message);
  if (register === 'iso14971' && (treatment !== null || dueOn !== null))
    problem(treatment !== null ? 'treatment' : 'due_on', 'belongs to the security register only');
  const levels = {
    severity: severity ?? 'S1',
    probability: get('probability'),
    p1: get('p1'),
    p2: get('p2'),
    residualSeverity: get('residual_severity'),
    residualProbability: get('residual_probability'),
  };
  // Levels are checked on the register's own scale (S × P for ISO 14971, I × L for security).
  const issues = register === null ? [] : assess(scaleFor(m, register), levels).issues;
  for (const i of issues)
    if (!(i.field === 'severity' && severity === null)) problem(FIELD_TO_COLUMN.get(i.field)!, i.message);
  let controls: CsvControl[] | undefined;
  if (cells.controls !== undefined) {
    const parsed = parseControlsCell(cells.controls);
    for (const message of parsed.problems) problem('controls', message);
    controls = parsed.controls ?? undefined;
  }
  if (problems.length) return { fields: null, problems };
  return {
    ...(controls ? { controls } : {}),
    fields: {
      register: register!,
      ref: ref!,
      product: product!,
      title: title!,
      ...texts,
      ...levels,
      severity: severity!,
      status: status!,
      treatment,
      dueOn,
      ownerUserId,
    },
    problems,
  };
}

type CsvRow = RiskFields & { row: number; controls?: CsvControl[] };

/** Parses a CSV register: every row checked, every problem reported; `rows` only when there is none. */
export function parseRiskCsv(
  m: RiskMatrixFile,
  text: string,
  maxRows = 5000,
): { rows: (RiskFields & { row: number; controls?: CsvControl[] })[]; problems: CsvProblem[] } {
  const records = readRecords(text);
  if ('problems' in records) return { rows: [], problems: records.problems };
  const header = records[0].map((h) => h.trim());
  const problems: CsvProblem[] = nulProblems(records, header);
  if (problems.length) return { rows: [], problems };
  problems.push(...headerProblems(header, records.length - 1, maxRows));
  if (problems.length) return { rows: [], problems };

  const rows = checkRows(m, records, header, problems);
  return problems.length ? { rows: [], problems } : { rows, problems };
}

/** The file's records (rows of cells, header first), or why it cannot be read as CSV. */
function readRecords(text: string): string[][] | { problems: CsvProblem[] } {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true });
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    return {
      problems: [
        {
          row: line,
          column: '(file)',
          message: `is not valid CSV: ${(e as Error).message.replace(/^Invalid \w+ ?\w*: /, '')}`,
        },
      ],
    };
  }
  if (records.length === 0)
    return {
      problems: [{ row: 1, column: '(header)', message: 'the file is empty: the first row must name the columns' }],
    };
  return records;
}

/** NUL characters anywhere (PostgreSQL refuses them): named by row and column before any other rule. */
function nulProblems(records: string[][], header: string[]): CsvProblem[] {
  const problems: CsvProblem[] = [];
  records.forEach((record, i) =>
    record.forEach((cell, j) => {
      if (hasNulCharacter(cell))
        problems.push({
          row: i + 1,
          column: i === 0 ? `column ${j + 1}` : header[j] || `column ${j + 1}`,
          message: NUL_CHARACTER_MESSAGE,
        });
    }),
  );
  return problems;
}

/** Unknown, repeated and missing columns, and too many rows. */
function headerProblems(header: string[], rowCount: number, maxRows: number): CsvProblem[] {
  const problems: CsvProblem[] = [];
  const known = new Set(Object.keys(CSV_COLUMNS));
  header.forEach((h) => {
    if (!known.has(h))
      problems.push({
        row: 1,
        column: h || '(empty)',
        message: `is not a column (${Object.keys(CSV_COLUMNS).join(', ')})`,
      });
  });
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) problems.push({ row: 1, column: dup, message: 'is named twice' });
  for (const c of REQUIRED_COLUMNS)
    if (!header.includes(c)) problems.push({ row: 1, column: c, message: 'column is missing' });
  if (rowCount > maxRows)
    problems.push({ row: maxRows + 2, column: '(file)', message: `more than ${maxRows} rows; split the file` });
  return problems;
}

/** Checks every data row (a reference repeated within a register is a problem); problems go to `problems`. */
function checkRows(m: RiskMatrixFile, records: string[][], header: string[], problems: CsvProblem[]): CsvRow[] {
  const rows: CsvRow[] = [];
  const refs = new Map<string, number>();
  records.slice(1).forEach((record, i) => {
    const row = i + 2;
    if (record.length > header.length)
      problems.push({ row, column: '(row)', message: `has ${record.length} cells; the header names ${header.length}` });
    const cells: Partial<Record<CsvColumn, string>> = {};
    header.forEach((h, j) => (cells[h as CsvColumn] = record[j] ?? ''));
    const checked = checkRow(m, cells, row);
    problems.push(...checked.problems);
    if (checked.fields) {
      const key = `${checked.fields.register}:${checked.fields.ref}`;
      if (refs.has(key))
        problems.push({ row, column: 'ref', message: `${checked.fields.ref} is already in row ${refs.get(key)}` });
      else refs.set(key, row);
      rows.push({ ...checked.fields, row, ...(checked.controls ? { controls: checked.controls } : {}) });
    }
  });
  return rows;
}

/** The register as CSV (every column; cells that a spreadsheet would run as formulas are prefixed with '). */
export function riskCsv(risks: RiskSnapshot[]): string {
  const columns = Object.keys(CSV_COLUMNS) as CsvColumn[];
  const value = (r: RiskSnapshot, c: CsvColumn): string => {
    if (c === 'controls') return controlsCell(r.controls);
    const field = c === 'level' ? 'level' : c === 'residual_level' ? 'residualLevel' : CSV_COLUMNS[c]!;
    const v = r[field as keyof RiskSnapshot];
    return v === null || v === undefined ? '' : String(v);
  };
  const rows = [columns, ...risks.map((r) => columns.map((c) => value(r, c)))];
  return stringify(rows.map((row) => row.map((cell) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell))));
}
