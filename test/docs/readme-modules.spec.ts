// The documents against the tree (issue 14, "Docs drift"). Pure and fast: it reads files, no database.
//  - README.md's module table (under "## Architecture") names every folder of src/ and of src/common/, and
//    every .ts file at the root of src/;
//  - its `src/cli` row names every top-level `attest` command group registered with commander (parsed from
//    src/cli.ts and src/cli/*.ts), each followed by its sub-commands in parentheses: `pack` (build, verify);
//  - docs/architecture.md and CONTRIBUTING.md exist;
//  - README.md, docs/architecture.md and CONTRIBUTING.md name no path under src/, test/, … that does not
//    exist, link no local file that does not exist, and point to no STYLE.md or ../shared/ design document.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DOCS = ['README.md', 'docs/architecture.md', 'CONTRIBUTING.md'];

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** True when the folder holds a file somewhere below it (git keeps no empty folder). */
function holdsFile(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? holdsFile(join(dir, e.name)) : e.isFile(),
  );
}

/** Folders directly under `dir` (relative to the project) that hold a file, as `dir/name`. */
function foldersOf(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && holdsFile(join(ROOT, dir, e.name)))
    .map((e) => `${dir}/${e.name}`)
    .sort();
}

/** The README's module table: the rows (cells) of the first table under "## Architecture" headed "| module |". */
function moduleTable(): string[][] {
  const section = read('README.md')
    .split(/^## /m)
    .find((s) => s.startsWith('Architecture\n'));
  if (!section) throw new Error('README.md has no "## Architecture" section');
  const lines = section.split('\n');
  const header = lines.findIndex((l) => /^\|\s*module\s*\|/.test(l));
  if (header < 0) throw new Error('README.md\'s "Architecture" section has no table headed "| module |"');
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .replace(/^\||\|\s*$/g, '')
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** The `src/...` names in backquotes in a row's first cell, without a trailing slash. */
function modulesNamed(row: string[]): string[] {
  return [...row[0].matchAll(/`(src\/[^`]+?)\/?`/g)].map((m) => m[1]);
}

/** Top-level command groups of the `attest` program and their sub-commands, read from the commander calls. */
function cliCommands(): Map<string, string[]> {
  const files = [
    'src/cli.ts',
    ...readdirSync(join(ROOT, 'src/cli'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => `src/cli/${f}`),
  ];
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const text = read(file);
    // program.command('migrate'), and `const pack = program.command('pack')` for a group of sub-commands.
    for (const m of text.matchAll(/\bprogram\s*\.command\(\s*['"`]([\w-]+)/g))
      if (!groups.has(m[1])) groups.set(m[1], []);
    const groupOf = new Map<string, string>();
    for (const m of text.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*program\s*\.command\(\s*['"`]([\w-]+)/g))
      groupOf.set(m[1], m[2]);
    // pack.command('verify <zip>')
    for (const m of text.matchAll(/\b(\w+)\s*\.command\(\s*['"`]([\w-]+)/g)) {
      const group = groupOf.get(m[1]);
      if (group) groups.get(group)!.push(m[2]);
    }
  }
  return groups;
}

describe('README module table', () => {
  const rows = moduleTable();
  const named = new Set(rows.flatMap(modulesNamed));

  it('is found and names modules', () => {
    expect(rows.length).toBeGreaterThan(10);
    expect(named.size).toBeGreaterThan(10);
  });

  it('lists every folder under src/ and under src/common/', () => {
    const folders = [...foldersOf('src'), ...foldersOf('src/common')];
    expect(folders).toContain('src/common/http');
    expect(folders.filter((f) => !named.has(f))).toEqual([]);
  });

  it('lists every file at the root of src/', () => {
    const files = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
      .map((e) => `src/${e.name}`);
    expect(files).toContain('src/configure-app.ts');
    expect(files.filter((f) => !named.has(f))).toEqual([]);
  });

  it('names only modules that exist', () => {
    expect([...named].filter((m) => !existsSync(join(ROOT, m)))).toEqual([]);
  });

  it('lists every CLI command group in the src/cli row, with its sub-commands', () => {
    const commands = cliCommands();
    // The parser still understands src/cli.ts: groups with and without sub-commands were found.
    expect(commands.size).toBeGreaterThanOrEqual(5);
    expect([...commands.values()].some((subs) => subs.length > 1)).toBe(true);

    const cliRow = rows.find((r) => modulesNamed(r).includes('src/cli'));
    if (!cliRow) throw new Error('the module table has no `src/cli` row');
    const text = cliRow.join(' | ');
    const missing: string[] = [];
    for (const [group, subs] of commands) {
      const listed = new RegExp('`' + group + '`(?:\\s*\\(([^)]*)\\))?').exec(text);
      if (!listed) {
        missing.push(group);
        continue;
      }
      const given = (listed[1] ?? '').split(',').map((s) => s.trim());
      for (const sub of subs) if (!given.includes(sub)) missing.push(`${group} ${sub}`);
    }
    expect(missing).toEqual([]);
  });
});

describe.each(DOCS)('%s', (doc) => {
  const path = join(ROOT, doc);

  it('exists', () => {
    expect(existsSync(path)).toBe(true);
  });

  it('names no path of the project that does not exist', () => {
    const text = read(doc);
    // A path starts at one of these folders (not inside another path such as dist/src/); it stops at a
    // placeholder (`src/web/<x>.page.ts` is checked as src/web/) or a glob (`controls/*.yaml`).
    const paths = [
      ...text.matchAll(/(?<![\w./-])((?:src|test|templates|migrations|controls|docs|bench)\/[\w./-]*)/g),
    ].map((m) => m[1].replace(/[.]+$/, ''));
    expect(paths.length).toBeGreaterThan(0);
    expect([...new Set(paths)].filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('links no local file that does not exist', () => {
    const links = [...read(doc).matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1].replace(/#.*$/, ''))
      .filter((l) => l && !/^[a-z]+:/i.test(l));
    expect(links.filter((l) => !existsSync(join(dirname(path), l)))).toEqual([]);
  });

  it('points to no design document outside the repository', () => {
    expect(read(doc)).not.toMatch(/STYLE\.md|\.\.\/shared\//);
  });
});

describe('docs/architecture.md', () => {
  it('draws the module graph from folders that exist', () => {
    const text = read('docs/architecture.md');
    const graph = /```mermaid\n([\s\S]*?)```/.exec(text);
    if (!graph) throw new Error('docs/architecture.md has no mermaid block');
    const nodes = new Set([...graph[1].matchAll(/^\s*([\w-]+)\s*-->\s*([\w-]+)\s*$/gm)].flatMap((m) => [m[1], m[2]]));
    expect(nodes.size).toBeGreaterThan(5);
    expect([...nodes].filter((n) => !statSync(join(ROOT, 'src', n), { throwIfNoEntry: false })?.isDirectory())).toEqual(
      [],
    );
  });
});
