#!/usr/bin/env node
// `npm start` and `npm run attest` run through this: it compiles only when dist/ is not current, then runs the
// entry point named as its first argument (`node test/support/build-if-stale.js dist/src/main.js …`) in this
// same process, with the arguments after it; without an argument it only builds. One Node process rather
// than npm's pre-script (a shell and a second Node) saves a few hundred milliseconds of every start. A cheap look first
// (a few hundred stat calls): the entry points exist and nothing under src/ or migrations/ (files or
// folders, so an added or deleted file counts), no tsconfig and not package-lock.json is newer than
// dist/.tsbuildinfo, which every build writes. Otherwise `tsc -b tsconfig.build.json`, which compiles what
// changed, or only refreshes timestamps when the contents did not (`--force` when an entry point is missing).
// Lives beside run-tests.js: top-level folders are fixed (README, "Development").
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..', '..');
const at = (...p) => join(root, ...p);
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

/** The newest modification time of a folder, its entries and everything below it. */
function newest(dir) {
  let max = mtime(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : mtime(path));
  }
  return max;
}

const entries = [at('dist', 'src', 'main.js'), at('dist', 'src', 'cli.js')];
const built = mtime(at('dist', '.tsbuildinfo'));
const inputs = Math.max(
  newest(at('src')),
  newest(at('migrations')),
  ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => mtime(at(f))),
);
const missing = entries.some((e) => mtime(e) < 0);
if (built < 0 || missing || inputs >= built) {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const args = [tsc, '-b', at('tsconfig.build.json'), ...(missing && built >= 0 ? ['--force'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const entry = process.argv[2];
if (entry) {
  // The entry sees the command line it would have had as `node <entry> …`.
  process.argv.splice(1, 2, resolve(entry));
  require(process.argv[1]);
}
