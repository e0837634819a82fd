// Start-up (issue 15): what `npm start` loads, and how it launches. The built server's module graph (every
// module dist/src/main.js requires, as it starts) must not load the libraries only some routes, jobs or
// commands use (they load on first use: src/common/lazy-module.ts), nor any development tool. `npm start`
// runs the entry point in the stale-build check's own process, with the entry's own command line.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

/** Loaded on first use only: PDF rendering, SBOM validation, Markdown, JUnit XML, SMTP, PKCS#12, CMS and PDF signatures. */
const LOADED_ON_FIRST_USE = [
  'pdfkit',
  'fontkit',
  '@cyclonedx/cyclonedx-library',
  'markdown-it',
  'fast-xml-parser',
  'nodemailer',
  'node-forge',
  'pkijs',
  'asn1js',
  '@signpdf/signpdf',
  '@signpdf/placeholder-plain',
  '@signpdf/utils',
];
/** Never at run time. */
const DEVELOPMENT_ONLY = ['playwright-core', 'typescript', 'jest', '@swc/core'];

/** The packages (node_modules/<name>) loaded by requiring every module main.js requires, without running it. */
function packagesLoadedByTheServer(): string[] {
  const entries = [...readFileSync(MAIN, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  const script = `
    const { join } = require('node:path');
    const dir = ${JSON.stringify(join(ROOT, 'dist', 'src'))};
    for (const id of ${JSON.stringify(entries)}) require(id.startsWith('.') ? join(dir, id) : id);
    const names = new Set();
    for (const file of Object.keys(require.cache)) {
      const m = file.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/);
      if (m) names.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...names]));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`loading the server's modules failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

describe('start-up', () => {
  it("loads the framework, and none of the libraries only some routes use, with the server's modules", () => {
    const loaded = packagesLoadedByTheServer();
    expect(loaded).toEqual(expect.arrayContaining(['@nestjs/core', 'fastify', 'typeorm', 'pg']));
    for (const name of [...LOADED_ON_FIRST_USE, ...DEVELOPMENT_ONLY])
      expect({ name, loaded: loaded.includes(name) }).toEqual({ name, loaded: false });
  });

  it('npm start and npm run attest run the entry point after the build check, with its own arguments', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe('node test/support/build-if-stale.js dist/src/main.js');
    const [node, launcher, entry] = pkg.scripts.attest.split(' ');
    // `attest --version` prints the version only when the CLI sees `--version` as its first argument.
    const r = spawnSync(node === 'node' ? process.execPath : node, [launcher, entry, '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect({ status: r.status, out: r.stdout.trim(), err: r.stderr }).toEqual({ status: 0, out: pkg.version, err: '' });
  });
});
