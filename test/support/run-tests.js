#!/usr/bin/env node
// `npm test`: type-check, lint, check the formatting and the module boundaries, and build (swc in Jest does not type-check; some tests
// run the built server and CLI), run the whole Jest suite, and end with one line CI can read: "N passed, N failed".
// Extra arguments go to Jest (e.g. `npm test -- test/e2e`).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const tsc = require.resolve('typescript/bin/tsc');

function step(label, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    process.stderr.write(`${label} failed\n`);
    console.log('0 passed, 1 failed');
    process.exit(r.status || 1);
  }
}

step('type check of src/ and test/', [tsc, '-p', 'tsconfig.json', '--noEmit']);
step('lint (npm run lint)', [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--max-warnings', '0', '.']);
step('format check (npm run format to fix)', [
  require.resolve('prettier/bin/prettier.cjs'),
  '--check',
  '--log-level',
  'warn',
  '**/*.{ts,js,mjs,cjs,json}',
]);
step('module boundaries (npm run deps)', [
  join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
  'src',
  '--config',
  '.dependency-cruiser.cjs',
  '--output-type',
  'err',
]);
step('build', [tsc, '-p', 'tsconfig.build.json']);

const out = mkdtempSync(join(tmpdir(), 'attest-jest-'));
const resultFile = join(out, 'jest.json');
const jest = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), '--json', `--outputFile=${resultFile}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TZ: 'UTC', ATTEST_TEST_BUILT: '1' } },
);
let passed = 0;
let failed = 1;
try {
  const r = JSON.parse(readFileSync(resultFile, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  if (r.numPendingTests > 0) console.log(`(${r.numPendingTests} skipped: see the reasons printed above)`);
} catch {
  // Jest did not write a result (crashed before running): count it as one failure.
}
rmSync(out, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(jest.status === 0 && failed === 0 ? 0 : jest.status || 1);
