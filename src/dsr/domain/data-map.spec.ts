// The data-system definition format: the shipped map, then each shape rule and each rule between fields
// broken once, with the field path (and, from YAML, the line) it is reported at.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FieldProblem, ValidationError } from '../../common/errors/app-error';
import {
  DATA_MAP_INVALID,
  dataSystemToYaml,
  erasureMethods,
  unrestrictValues,
  formatFieldPath,
  MAX_DATA_MAP_BYTES,
  parseDataSystem,
  parseDataSystemYaml,
  ParseDataSystemOptions,
  PostgresSystemDefinition,
  seedPlaceholders,
  separateSecrets,
  withSecrets,
} from './data-map';

const SHIPPED = readFileSync(
  join(__dirname, '..', '..', '..', 'controls', 'data-systems', 'patient-platform.yaml'),
  'utf8',
);
const URL_ = 'postgres://dsr:secret@db.internal:5432/app';

/** A valid postgres definition; `edit` changes a deep copy. */
function pg(edit: (d: any) => void = () => undefined): any {
  const d: any = {
    key: 'app-db',
    name: 'App database',
    kind: 'postgres',
    owner: { department: 'engineering', user: 'owner@demo.local' },
    postgres: {
      url: URL_,
      tables: [
        {
          table: 'users',
          find: { email: 'email', phone: 'phone' },
          export: ['id', 'email'],
          erase: { rule: 'anonymise', set: { email: null, name: '[erased]' } },
        },
        {
          table: 'orders',
          find: { join: { parent: 'users', column: 'user_id', parentColumn: 'id' } },
          export: ['id', 'total'],
          erase: { rule: 'delete' },
        },
        {
          table: 'public.invoices',
          find: { join: { parent: 'orders', column: 'order_id', parentColumn: 'id' } },
          export: ['id'],
          erase: { rule: 'retain', basis: 'Tax law', retention: 'P10Y' },
        },
      ],
      drill: {
        seed: [
          {
            table: 'users',
            as: 'user',
            values: { email: '{{email}}', phone: '{{phone}}', name: '{{name}}', national: '{{nationalId}}' },
          },
          { table: 'orders', as: 'order', values: { user_id: '{{user.id}}', total: 10 } },
          {
            table: 'public.invoices',
            values: { order_id: '{{order.id}}', note: 'for {{user.email}}', paid: true, void: null },
          },
        ],
      },
    },
  };
  edit(d);
  return d;
}

function problems(input: unknown, options?: ParseDataSystemOptions): FieldProblem[] {
  try {
    parseDataSystem(input, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe(DATA_MAP_INVALID);
    return (e as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

function yamlProblems(text: string, options?: ParseDataSystemOptions): FieldProblem[] {
  try {
    parseDataSystemYaml(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

describe('the shipped map (controls/data-systems/patient-platform.yaml)', () => {
  it('parses when the URL is supplied separately, mapping every demo table with the stated rules', () => {
    const d = parseDataSystemYaml(SHIPPED, { secretsSupplied: true }) as PostgresSystemDefinition;
    expect(d.kind).toBe('postgres');
    expect(d.postgres.url).toBeUndefined();
    expect(d.postgres.tables.map((t) => `${t.table}:${t.erase.rule}`)).toEqual([
      'patients:anonymise',
      'appointments:delete',
      'encounters:retain',
      'lab_results:retain',
      'consents:retain',
      'community_posts:anonymise',
      'newsletter_subscriptions:delete',
    ]);
    // The drill seeds a row into every mapped table.
    expect(new Set(d.postgres.drill!.seed.map((s) => s.table))).toEqual(new Set(d.postgres.tables.map((t) => t.table)));
  });

  it('needs the URL when no flag says it is supplied', () => {
    expect(yamlProblems(SHIPPED)).toEqual([
      { field: 'postgres.url', message: 'line 14: is required (or supplied separately)' },
    ]);
  });
});

describe('valid definitions', () => {
  it('accepts a postgres map with schema-qualified tables, joins, rules and a seed', () => {
    const d = parseDataSystem(pg()) as PostgresSystemDefinition;
    expect(d.postgres.tables[2].table).toBe('public.invoices');
    expect(d.owner).toEqual({ department: 'engineering', user: 'owner@demo.local' });
  });

  it('fills http defaults and keeps what is given', () => {
    const d = parseDataSystem({
      key: 'crm',
      name: 'CRM',
      kind: 'http',
      owner: { department: 'support' },
      http: { baseUrl: 'https://crm.internal', token: 't' },
    });
    expect(d).toMatchObject({
      http: {
        baseUrl: 'https://crm.internal',
        token: 't',
        exportPath: '/dsr/export',
        erasePath: '/dsr/erase',
        timeoutMs: 10000,
        retries: 2,
      },
    });
    const e = parseDataSystem(
      {
        key: 'crm',
        name: 'CRM',
        kind: 'http',
        owner: { department: 'support' },
        http: {
          baseUrl: 'http://crm:8080/api',
          exportPath: '/x',
          erasePath: '/y',
          seedPath: '/z',
          timeoutMs: 500,
          retries: 0,
        },
      },
      { secretsSupplied: true },
    );
    expect(e).toMatchObject({
      http: { exportPath: '/x', erasePath: '/y', seedPath: '/z', timeoutMs: 500, retries: 0 },
    });
  });

  it('accepts a manual system with a checklist', () => {
    const d = parseDataSystem({
      key: 'paper-files',
      name: 'Paper files',
      kind: 'manual',
      owner: { department: 'clinical', user: 'nurse@demo.local' },
      manual: { checklist: ['Find the folder', 'Shred the forms'] },
    });
    expect(d).toMatchObject({ kind: 'manual', manual: { checklist: ['Find the folder', 'Shred the forms'] } });
  });
});

describe('shape rules', () => {
  it.each([
    [
      'key pattern',
      (d: any) => (d.key = 'App_DB'),
      'key',
      'must be a lower-case key (a-z, 0-9, -; 2 to 63 characters)',
    ],
    ['name not empty', (d: any) => (d.name = '  '), 'name', 'must not be empty'],
    ['kind', (d: any) => (d.kind = 'mysql'), 'kind', 'must be one of postgres, http, manual'],
    ['owner department', (d: any) => delete d.owner.department, 'owner.department', 'is required'],
    ['owner user is an e-mail', (d: any) => (d.owner.user = 'alice'), 'owner.user', 'must be an e-mail address'],
    ['unknown key', (d: any) => (d.colour = 'blue'), '', 'unknown key(s) "colour"'],
    [
      'url scheme',
      (d: any) => (d.postgres.url = 'mysql://x/y'),
      'postgres.url',
      'must be a postgres:// or postgresql:// URL',
    ],
    ['at least one table', (d: any) => (d.postgres.tables = []), 'postgres.tables', 'must map at least one table'],
  ])('%s', (_rule, edit, field, message) => {
    expect(problems(pg(edit))).toEqual([{ field, message }]);
  });

  it('wants exactly the section that matches kind', () => {
    expect(problems(pg((d) => delete d.postgres))).toEqual([
      { field: 'postgres', message: 'is required when kind is postgres' },
    ]);
    expect(problems(pg((d) => (d.manual = { checklist: ['x'] })))).toEqual([
      { field: 'manual', message: 'must not be given when kind is postgres' },
    ]);
  });

  it.each([
    [
      'table name',
      (d: any) => (d.postgres.tables[1].table = 'orders; drop'),
      'postgres.tables[1].table',
      'must be a table name (identifier or schema.identifier)',
    ],
    [
      'three-part table name',
      (d: any) => (d.postgres.tables[1].table = 'db.public.orders'),
      'postgres.tables[1].table',
      'must be a table name (identifier or schema.identifier)',
    ],
    [
      'export column with a quote',
      (d: any) => (d.postgres.tables[2].export = ['id', 'a"b']),
      'postgres.tables[2].export[1]',
      'must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'column of 64 characters',
      (d: any) => (d.postgres.tables[0].export[1] = 'c'.repeat(64)),
      'postgres.tables[0].export[1]',
      'must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'column starting with a digit',
      (d: any) => (d.postgres.tables[0].find.email = '1email'),
      'postgres.tables[0].find.email',
      'must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'join column',
      (d: any) => (d.postgres.tables[1].find.join.column = 'user id'),
      'postgres.tables[1].find.join.column',
      'must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'rectify column',
      (d: any) => (d.postgres.tables[0].rectify = ['email', 'first-name']),
      'postgres.tables[0].rectify[1]',
      'must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'restrict column',
      (d: any) => (d.postgres.tables[0].restrict = { 'restricted?': true }),
      'postgres.tables[0].restrict["restricted?"]',
      'key: must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'restrict not empty',
      (d: any) => (d.postgres.tables[0].restrict = {}),
      'postgres.tables[0].restrict',
      'must name at least one column',
    ],
    [
      'anonymise set column',
      (d: any) => (d.postgres.tables[0].erase.set = { 'e mail': null }),
      'postgres.tables[0].erase.set["e mail"]',
      'key: must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
    [
      'anonymise value type',
      (d: any) => (d.postgres.tables[0].erase.set = { email: { nested: 1 } }),
      'postgres.tables[0].erase.set.email',
      'must be a string, number, boolean or null',
    ],
    [
      'export not empty',
      (d: any) => (d.postgres.tables[0].export = []),
      'postgres.tables[0].export',
      'must list at least one column',
    ],
    [
      'find names something',
      (d: any) => (d.postgres.tables[0].find = {}),
      'postgres.tables[0].find',
      'must name at least one of email, phone, nationalId, or a join',
    ],
    [
      'find by keys or join, not both',
      (d: any) => (d.postgres.tables[1].find.email = 'email'),
      'postgres.tables[1].find',
      'must find either by identifier columns or by a join, not both',
    ],
    [
      'find knows only the three keys',
      (d: any) => (d.postgres.tables[0].find.mail = 'mail'),
      'postgres.tables[0].find',
      'unknown key(s) "mail"',
    ],
    [
      'erase rule',
      (d: any) => (d.postgres.tables[1].erase = { rule: 'shred' }),
      'postgres.tables[1].erase.rule',
      'must be one of delete, anonymise, retain',
    ],
    [
      'anonymise needs set',
      (d: any) => delete d.postgres.tables[0].erase.set,
      'postgres.tables[0].erase.set',
      'is required for rule anonymise (column → replacement)',
    ],
    [
      'anonymise set not empty',
      (d: any) => (d.postgres.tables[0].erase.set = {}),
      'postgres.tables[0].erase.set',
      'must name at least one column to anonymise',
    ],
    [
      'set only for anonymise',
      (d: any) => (d.postgres.tables[1].erase.set = { total: 0 }),
      'postgres.tables[1].erase.set',
      'is not used by rule delete',
    ],
    [
      'retain needs basis',
      (d: any) => delete d.postgres.tables[2].erase.basis,
      'postgres.tables[2].erase.basis',
      'is required for rule retain (the legal basis for keeping the rows)',
    ],
    [
      'retain needs retention',
      (d: any) => delete d.postgres.tables[2].erase.retention,
      'postgres.tables[2].erase.retention',
      'is required for rule retain (an ISO 8601 period such as P5Y)',
    ],
    [
      'retention is an ISO period',
      (d: any) => (d.postgres.tables[2].erase.retention = '5 years'),
      'postgres.tables[2].erase.retention',
      'must be an ISO 8601 period such as P5Y, P6M or P10Y6M',
    ],
    [
      'basis only for retain',
      (d: any) => (d.postgres.tables[1].erase.basis = 'because'),
      'postgres.tables[1].erase.basis',
      'is not used by rule delete',
    ],
    [
      'seed values not empty',
      (d: any) => (d.postgres.drill.seed[1].values = {}),
      'postgres.drill.seed[1].values',
      'must give at least one column',
    ],
    [
      'seed as is an identifier',
      (d: any) => (d.postgres.drill.seed[0].as = 'the user'),
      'postgres.drill.seed[0].as',
      'must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
    ],
  ])('%s', (_rule, edit, field, message) => {
    expect(problems(pg(edit))).toEqual([{ field, message }]);
  });

  it('accepts the retention periods it documents', () => {
    for (const retention of ['P5Y', 'P6M', 'P10Y6M', 'P30D', 'P2W'])
      expect(() => parseDataSystem(pg((d) => (d.postgres.tables[2].erase.retention = retention)))).not.toThrow();
    for (const retention of ['P', 'PT5H', '5Y', 'P5Y '])
      expect(problems(pg((d) => (d.postgres.tables[2].erase.retention = retention)))).toHaveLength(1);
  });

  it('checks the http section', () => {
    const http = (h: object) => ({
      key: 'crm',
      name: 'CRM',
      kind: 'http',
      owner: { department: 'support' },
      http: { baseUrl: 'https://crm.internal', token: 't', ...h },
    });
    expect(problems(http({ baseUrl: 'ftp://crm' }))).toEqual([
      { field: 'http.baseUrl', message: 'must be an http:// or https:// URL' },
    ]);
    expect(problems(http({ exportPath: 'dsr/export' }))).toEqual([
      { field: 'http.exportPath', message: 'must be a path starting with /' },
    ]);
    expect(problems(http({ timeoutMs: 50 }))).toEqual([{ field: 'http.timeoutMs', message: 'must be at least 100' }]);
    expect(problems(http({ retries: 1.5 }))).toEqual([{ field: 'http.retries', message: 'must be a whole number' }]);
    expect(problems(http({ timeoutMs: '10s' }))).toEqual([{ field: 'http.timeoutMs', message: 'must be a number' }]);
    expect(problems(http({ token: undefined }))).toEqual([
      { field: 'http.token', message: 'is required (or supplied separately)' },
    ]);
    expect(problems(http({ webhook: '/x' }))).toEqual([{ field: 'http', message: 'unknown key(s) "webhook"' }]);
  });

  it('checks the manual section', () => {
    expect(
      problems({
        key: 'paper',
        name: 'Paper',
        kind: 'manual',
        owner: { department: 'clinical' },
        manual: { checklist: [] },
      }),
    ).toEqual([{ field: 'manual.checklist', message: 'must list at least one step' }]);
  });
});

describe('rules between fields', () => {
  it('a table is mapped once', () => {
    expect(problems(pg((d) => (d.postgres.tables[2].table = 'users')))).toEqual([
      { field: 'postgres.tables[2].table', message: 'table "users" is already mapped at tables[0]' },
    ]);
  });

  it('a column is listed once in export and rectify', () => {
    expect(problems(pg((d) => (d.postgres.tables[0].export = ['id', 'email', 'id'])))).toEqual([
      { field: 'postgres.tables[0].export[2]', message: 'column "id" is listed twice' },
    ]);
    expect(problems(pg((d) => (d.postgres.tables[0].rectify = ['email', 'email'])))).toEqual([
      { field: 'postgres.tables[0].rectify[1]', message: 'column "email" is listed twice' },
    ]);
  });

  it('a join parent is a mapped table', () => {
    expect(problems(pg((d) => (d.postgres.tables[1].find.join.parent = 'customers')))).toEqual([
      { field: 'postgres.tables[1].find.join.parent', message: '"customers" is not a mapped table' },
    ]);
    // Schema-qualified names are matched as written.
    expect(problems(pg((d) => (d.postgres.tables[1].find.join.parent = 'public.users')))).toEqual([
      { field: 'postgres.tables[1].find.join.parent', message: '"public.users" is not a mapped table' },
    ]);
  });

  it('a table does not join to itself', () => {
    expect(problems(pg((d) => (d.postgres.tables[1].find.join.parent = 'orders')))).toEqual([
      { field: 'postgres.tables[1].find.join.parent', message: 'a table cannot join to itself' },
    ]);
  });

  it('joins form no cycle (reported once, naming the tables)', () => {
    const d = pg((d) => {
      d.postgres.tables[1].find = { join: { parent: 'public.invoices', column: 'invoice_id', parentColumn: 'id' } };
    });
    expect(problems(d)).toEqual([
      {
        field: 'postgres.tables[1].find.join.parent',
        message: 'joins form a cycle: orders → public.invoices → orders',
      },
    ]);
  });

  it('a seed `as` is used once', () => {
    expect(problems(pg((d) => (d.postgres.drill.seed[2].as = 'user')))).toEqual([
      { field: 'postgres.drill.seed[2].as', message: '"user" is already used by seed[0]' },
    ]);
  });

  it('seed placeholders are the known ones', () => {
    expect(problems(pg((d) => (d.postgres.drill.seed[0].values.name = '{{fullName}}')))).toEqual([
      {
        field: 'postgres.drill.seed[0].values.name',
        message:
          'unknown placeholder {{fullName}}: use {{email}}, {{phone}}, {{nationalId}}, {{name}} or {{<as>.<column>}} of an earlier row',
      },
    ]);
  });

  it('a seed placeholder refers to an earlier row', () => {
    expect(problems(pg((d) => (d.postgres.drill.seed[1].values.user_id = '{{customer.id}}')))).toEqual([
      {
        field: 'postgres.drill.seed[1].values.user_id',
        message: '{{customer.id}} refers to "customer", which no earlier seed row declares with as',
      },
    ]);
    expect(problems(pg((d) => (d.postgres.drill.seed[0].values.name = '{{order.id}}')))).toEqual([
      {
        field: 'postgres.drill.seed[0].values.name',
        message: '{{order.id}} refers to seed[1], which is not seeded before this row',
      },
    ]);
  });

  it('seed rows may name a table the map does not (how a drill finds an incomplete map)', () => {
    expect(() =>
      parseDataSystem(pg((d) => d.postgres.drill.seed.push({ table: 'audit_log', values: { who: '{{email}}' } }))),
    ).not.toThrow();
  });

  it('reports every problem, not the first', () => {
    const d = pg((d) => {
      d.postgres.tables[0].export = ['id', 'id'];
      d.postgres.tables[1].find.join.parent = 'nobody';
      d.postgres.drill.seed[2].values.x = '{{what}}';
    });
    expect(problems(d).map((p) => p.field)).toEqual([
      'postgres.tables[0].export[1]',
      'postgres.tables[1].find.join.parent',
      'postgres.drill.seed[2].values.x',
    ]);
  });
});

describe('YAML', () => {
  it('reports the line of the offending node', () => {
    const text = [
      'key: app',
      'name: App',
      'kind: postgres',
      'owner: { department: engineering }',
      'postgres:',
      '  tables:',
      '    - table: users',
      '      find: { email: email }',
      '      export: [id, "bad column"]',
      '      erase: { rule: delete }',
    ].join('\n');
    expect(yamlProblems(text, { secretsSupplied: true })).toEqual([
      {
        field: 'postgres.tables[0].export[1]',
        message: 'line 9: must be an identifier (letters, digits, _; at most 63; not starting with a digit)',
      },
    ]);
  });

  it('reports syntax errors and duplicate keys with their line', () => {
    expect(yamlProblems('key: a\nname: [unclosed\n')[0].message).toMatch(/^line \d+: /);
    expect(yamlProblems('key: app\nkey: other\n')).toEqual([
      { field: '', message: expect.stringMatching(/^line 2: .*unique/i) },
    ]);
  });

  it('refuses anchors, aliases and custom tags', () => {
    const messages = yamlProblems('key: &k app\nname: *k\nkind: !!binary x\n').map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'line 1: YAML anchors (&k) are not allowed',
        'line 2: YAML aliases (*k) are not allowed',
      ]),
    );
    expect(yamlProblems('key: !secret app\n').map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('custom YAML tags')]),
    );
  });

  it('refuses a definition over the size limit', () => {
    expect(yamlProblems(`description: "${'x'.repeat(MAX_DATA_MAP_BYTES)}"`)[0].message).toMatch(/limit is 262144/);
  });

  it('reads JSON too', () => {
    expect(parseDataSystemYaml(JSON.stringify(pg())).key).toBe('app-db');
  });
});

describe('secrets', () => {
  it('separates the URL from the definition and puts it back', () => {
    const d = parseDataSystem(pg());
    const { definition, secrets } = separateSecrets(d);
    expect(secrets).toEqual({ url: URL_ });
    expect(JSON.stringify(definition)).not.toContain('secret@');
    expect(withSecrets(definition, secrets)).toEqual(d);
  });

  it('exports YAML without secrets that re-imports as the same definition when they are supplied', () => {
    const d = parseDataSystem(pg());
    const yaml = dataSystemToYaml(d);
    expect(yaml).not.toContain('secret');
    expect(yaml).not.toContain('url:');
    expect(parseDataSystemYaml(yaml, { secretsSupplied: true })).toEqual(separateSecrets(d).definition);
    const http = parseDataSystem({
      key: 'crm',
      name: 'CRM',
      kind: 'http',
      owner: { department: 'support' },
      http: { baseUrl: 'https://crm.internal', token: 'tok-123' },
    });
    expect(dataSystemToYaml(http)).not.toContain('tok-123');
  });
});

describe('helpers', () => {
  it('formats field paths with brackets for indexes and odd keys', () => {
    expect(formatFieldPath(['postgres', 'tables', 2, 'export', 1])).toBe('postgres.tables[2].export[1]');
    expect(formatFieldPath(['postgres', 'tables', 0, 'restrict', 'a b'])).toBe('postgres.tables[0].restrict["a b"]');
    expect(formatFieldPath([])).toBe('');
  });

  it('reads seed placeholders', () => {
    expect(seedPlaceholders('Post by {{ name }} <{{email}}> for {{patient.id}} {{x.y.z}}')).toEqual([
      { raw: '{{ name }}', name: 'name' },
      { raw: '{{email}}', name: 'email' },
      { raw: '{{patient.id}}', as: 'patient', column: 'id' },
      { raw: '{{x.y.z}}', invalid: true },
    ]);
  });
});

describe('erasure methods: anonymised or pseudonymised', () => {
  const shipped = () =>
    parseDataSystemYaml(
      readFileSync(join(__dirname, '..', '..', '..', 'controls', 'data-systems', 'patient-platform.yaml'), 'utf8'),
      { secretsSupplied: true },
    );

  it('calls the demo profile pseudonymised: retained encounters and consents still link to it by patient_id', () => {
    const d = shipped();
    if (d.kind !== 'postgres') throw new Error('postgres expected');
    const m = erasureMethods(d.postgres);
    expect(m.get('patients')).toEqual({
      method: 'pseudonymise',
      linkedBy: expect.arrayContaining(['encounters', 'consents', 'lab_results']),
    });
    expect(m.get('community_posts')!.method).toBe('pseudonymise'); // linked to the profile, which retained rows link to
    expect(m.get('appointments')).toEqual({ method: 'delete', linkedBy: [] });
    expect(m.get('encounters')).toEqual({ method: 'retain', linkedBy: [] });
  });

  it('keeps anonymise when nothing that stays links to the table', () => {
    const m = erasureMethods({
      tables: [
        {
          table: 'profiles',
          find: { email: 'email' },
          export: ['id'],
          erase: { rule: 'anonymise', set: { email: null } },
        },
        {
          table: 'orders',
          find: { join: { parent: 'profiles', column: 'profile_id', parentColumn: 'id' } },
          export: ['id'],
          erase: { rule: 'delete' },
        },
      ],
    });
    expect(m.get('profiles')).toEqual({ method: 'anonymise', linkedBy: [] });
  });

  it('lifts a restriction with `unrestrict`, else booleans negated and other values NULL; unrestrict must mirror restrict', () => {
    const base = { table: 't', find: { email: 'email' }, export: ['id'], erase: { rule: 'delete' as const } };
    expect(unrestrictValues({ ...base, restrict: { processing_restricted: true, note: 'objected' } })).toEqual({
      processing_restricted: false,
      note: null,
    });
    expect(unrestrictValues({ ...base, restrict: { status: 'restricted' }, unrestrict: { status: 'active' } })).toEqual(
      { status: 'active' },
    );
    const def = (table: Record<string, unknown>) => ({
      key: 'x-system',
      name: 'X',
      kind: 'postgres',
      owner: { department: 'engineering' },
      postgres: { tables: [{ ...base, ...table }] },
    });
    expect(() =>
      parseDataSystem(def({ restrict: { a: true }, unrestrict: { b: false } }), { secretsSupplied: true }),
    ).toThrow(/same columns as restrict/);
    expect(() =>
      parseDataSystem(def({ restrict: { a: true }, unrestrict: { a: false } }), { secretsSupplied: true }),
    ).not.toThrow();
  });
});
