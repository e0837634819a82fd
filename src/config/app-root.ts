import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project folder (holding package.json), whether running from src/ (tests) or dist/src/ (built). */
function findAppRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'attest') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the attest package.json above ${start}`);
    dir = parent;
  }
}

export const APP_ROOT = findAppRoot(__dirname);
export const APP_VERSION: string = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')).version;
