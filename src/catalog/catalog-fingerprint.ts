// The fingerprint of what a catalog sync is made from: the catalog's files (exactly those loadCatalog()
// reads) and the code that turns them into rows (the loader, its schemas, the content hashes, the sync and
// the versions of the libraries they parse and hash with). Equal fingerprints mean a sync would change
// nothing, so the start skips parsing and syncing (CatalogService.syncFromFilesIfChanged). Reading and
// hashing the files takes a few milliseconds; parsing and validating them took about 0.2 s at 270 controls.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { yamlFiles } from './catalog-yaml';

/** The modules whose change can change what a sync of the same files writes (resolved: .js in dist/, .ts in tests). */
const SYNC_CODE = [
  './catalog-loader',
  './catalog-yaml',
  './catalog-sync.service',
  './catalog-sync-plan',
  './catalog-sync.repository',
  './domain/catalog-model',
  './domain/content-hash',
  '../identity/domain/departments-file',
  '../common/text/strict-yaml',
].map((m) => require.resolve(m));

const SYNC_LIBRARIES = ['yaml', 'zod', 'canonicalize'];

/** The sync code's part of the fingerprint, the same for the life of the process. */
let codePart: string | undefined;

function codeFingerprint(): string {
  if (codePart === undefined) {
    const h = createHash('sha256');
    for (const file of SYNC_CODE) h.update(`${file.replace(/^.*\/src\//, '')}\0`).update(readFileSync(file));
    for (const lib of SYNC_LIBRARIES) {
      const { version } = JSON.parse(readFileSync(require.resolve(`${lib}/package.json`), 'utf8')) as {
        version: string;
      };
      h.update(`${lib}@${version}\0`);
    }
    codePart = h.digest('hex');
  }
  return codePart;
}

/** The files loadCatalog(dir) reads, in its order (a missing departments.yaml is hashed as missing). */
function catalogFiles(dir: string): string[] {
  return [join(dir, 'departments.yaml'), ...yamlFiles(join(dir, 'frameworks')), ...yamlFiles(join(dir, 'controls'))];
}

/** Hex SHA-256 over the catalog's files (names and bytes) under `dir` and the sync code. */
export function catalogFingerprint(dir: string): string {
  const h = createHash('sha256').update(`attest-catalog-sync/1\0${codeFingerprint()}\0`);
  for (const file of catalogFiles(dir)) {
    let bytes: Buffer | null;
    try {
      bytes = readFileSync(file);
    } catch {
      bytes = null;
    }
    h.update(`${relative(dir, file)}\0${bytes === null ? -1 : bytes.length}\0`);
    if (bytes) h.update(bytes);
  }
  return h.digest('hex');
}
