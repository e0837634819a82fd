// CycloneDX SBOMs (issue 18): the SOUP list of a release (IEC 62304 5.8) and what changed in it since the
// previous release. Pure (the schema validation is CPU work, asynchronous only because the library is).
// The document is validated against the official CycloneDX JSON schema of its own `specVersion` by
// @cyclonedx/cyclonedx-library, so nothing here re-implements the schema.
import type * as CDX from '@cyclonedx/cyclonedx-library';
import { lazyModule } from '../../common/lazy-module';
import type { AttachmentProblem, Parsed, SbomComponent, SbomDiff, SbomSummary } from './release-model';

/** The spec versions accepted: 1.2 (the first with the JSON format) to 1.6. */
export const CYCLONEDX_SPEC_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6'] as const;
/** The library (with its JSON-schema validator) loads on the first SBOM, not at start-up. */
const cyclonedx = lazyModule<typeof CDX>('@cyclonedx/cyclonedx-library');
const SPEC_VERSION = (version: (typeof CYCLONEDX_SPEC_VERSIONS)[number]): CDX.Spec.Version =>
  ({
    '1.2': cyclonedx().Spec.Version.v1dot2,
    '1.3': cyclonedx().Spec.Version.v1dot3,
    '1.4': cyclonedx().Spec.Version.v1dot4,
    '1.5': cyclonedx().Spec.Version.v1dot5,
    '1.6': cyclonedx().Spec.Version.v1dot6,
  })[version];
/** Arrays and objects nested deeper than this are refused before validation (the validator recurses). */
export const CYCLONEDX_MAX_DEPTH = 256;
/** Schema problems reported at most (the first ones; a broken generator repeats the same mistake). */
export const CYCLONEDX_MAX_PROBLEMS = 50;

/** One validator per spec version: compiling a schema takes about a second, using it far less. */
const validators = new Map<string, CDX.Validation.JsonStrictValidator>();
function validatorFor(specVersion: (typeof CYCLONEDX_SPEC_VERSIONS)[number]): CDX.Validation.JsonStrictValidator {
  let v = validators.get(specVersion);
  if (!v) {
    v = new (cyclonedx().Validation.JsonStrictValidator)(SPEC_VERSION(specVersion));
    validators.set(specVersion, v);
  }
  return v;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const fail = (field: string, message: string): Parsed<SbomSummary> => ({ ok: false, problems: [{ field, message }] });

/**
 * Parses and validates a CycloneDX JSON SBOM (spec 1.2 to 1.6; XML is not accepted). Problems: not UTF-8
 * JSON, `bomFormat` not "CycloneDX", an unsupported `specVersion`, then every schema violation the validator
 * reports (`field` is its JSON pointer, `/` for the document; at most 50). The components are `components`
 * with their nested `components` flattened (the product itself, `metadata.component`, is not SOUP and is
 * left out), one entry per key and version: a component listed twice with the same version (two places in
 * an npm tree) is one entry, its licences united.
 */
export async function parseCycloneDx(bytes: Buffer): Promise<Parsed<SbomSummary>> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('/', 'is not UTF-8 text');
  }
  if (jsonDepth(text) > CYCLONEDX_MAX_DEPTH)
    return fail('/', `nests arrays and objects more than ${CYCLONEDX_MAX_DEPTH} levels deep`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('/', `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(doc)) return fail('/', 'must be a JSON object (a CycloneDX BOM)');
  if (doc.bomFormat !== 'CycloneDX') return fail('/bomFormat', 'must be "CycloneDX"');
  const specVersion = doc.specVersion;
  if (typeof specVersion !== 'string' || !(CYCLONEDX_SPEC_VERSIONS as readonly string[]).includes(specVersion))
    return fail(
      '/specVersion',
      `must be one of ${CYCLONEDX_SPEC_VERSIONS.join(', ')} (got ${JSON.stringify(specVersion) ?? 'nothing'})`,
    );
  let errors: unknown;
  try {
    errors = await validatorFor(specVersion as (typeof CYCLONEDX_SPEC_VERSIONS)[number]).validate(text);
  } catch {
    return fail('/', 'could not be checked against the CycloneDX schema');
  }
  if (Array.isArray(errors) && errors.length) return { ok: false, problems: schemaProblems(errors) };
  return { ok: true, value: { specVersion, components: mergeComponents(flatten(doc.components)) } };
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), in one linear pass. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) max = Math.max(max, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return max;
}

function schemaProblems(errors: unknown[]): AttachmentProblem[] {
  return errors.slice(0, CYCLONEDX_MAX_PROBLEMS).map((e) => {
    const err = isObject(e) ? e : {};
    const field = typeof err.instancePath === 'string' && err.instancePath ? err.instancePath : '/';
    const message = typeof err.message === 'string' ? err.message : 'does not match the CycloneDX schema';
    return { field, message };
  });
}

/** Components and their nested components, depth first, without recursion (a hostile SBOM may nest deep). */
function flatten(components: unknown): SbomComponent[] {
  const out: SbomComponent[] = [];
  const stack: unknown[] = Array.isArray(components) ? [...components].reverse() : [];
  while (stack.length) {
    const c = stack.pop();
    if (!isObject(c) || typeof c.name !== 'string') continue;
    const group = typeof c.group === 'string' && c.group ? c.group : null;
    out.push({
      key: group ? `${group}/${c.name}` : c.name,
      name: c.name,
      version: typeof c.version === 'string' && c.version ? c.version : null,
      purl: typeof c.purl === 'string' ? c.purl : null,
      licenses: licensesOf(c.licenses),
    });
    if (Array.isArray(c.components)) for (let i = c.components.length - 1; i >= 0; i--) stack.push(c.components[i]);
  }
  return out;
}

/** `licenses[].license.id`, else `.license.name`, or `licenses[].expression`; in order, de-duplicated. */
function licensesOf(licenses: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(licenses)) return out;
  for (const l of licenses) {
    if (!isObject(l)) continue;
    const license = isObject(l.license) ? l.license : null;
    const value =
      typeof l.expression === 'string'
        ? l.expression
        : typeof license?.id === 'string'
          ? license.id
          : typeof license?.name === 'string'
            ? license.name
            : null;
    if (value && !out.includes(value)) out.push(value);
  }
  return out;
}

const identity = (c: SbomComponent) => `${c.key}\u0000${c.version ?? ''}`;

/** One entry per key and version (first purl kept, licences united), sorted by key then version. */
function mergeComponents(components: readonly SbomComponent[]): SbomComponent[] {
  const byIdentity = new Map<string, SbomComponent>();
  for (const c of components) {
    const seen = byIdentity.get(identity(c));
    if (!seen) byIdentity.set(identity(c), { ...c, licenses: [...c.licenses] });
    else {
      seen.purl ??= c.purl;
      for (const l of c.licenses) if (!seen.licenses.includes(l)) seen.licenses.push(l);
    }
  }
  return [...byIdentity.values()].sort(byKeyThenVersion);
}

function byKeyThenVersion(a: SbomComponent, b: SbomComponent): number {
  return compareText(a.key, b.key) || compareVersions(a.version, b.version);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Versions in a natural order: dot-separated parts, numeric parts compared as numbers, others as text
 * ("1.10.0" after "1.9.3"); a pre-release (`-rc.1`) before its release, build metadata (`+…`) ignored unless
 * all else is equal; no version first. Enough to sort and pair versions; not a semver range engine.
 */
export function compareVersions(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const [mainA, ...preA] = a.split('+')[0].split('-');
  const [mainB, ...preB] = b.split('+')[0].split('-');
  const main = compareParts(mainA.split('.'), mainB.split('.'));
  if (main) return main;
  if (!preA.length !== !preB.length) return preA.length ? -1 : 1;
  return compareParts(preA.join('-').split('.'), preB.join('-').split('.')) || compareText(a, b);
}

function compareParts(pa: string[], pb: string[]): number {
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : null;
    const ny = /^\d+$/.test(y) ? Number(y) : null;
    const d = nx !== null && ny !== null ? nx - ny : nx !== null ? -1 : ny !== null ? 1 : compareText(x, y);
    if (d) return Math.sign(d);
  }
  return 0;
}

const sameLicences = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * What changed in the SOUP list from `previous` to `current` (null previous: the first release, everything
 * added). Components are compared per key, as multisets of versions, since one SBOM may hold a key at two
 * versions (npm nests copies):
 * 1. a version of the key present in both is unchanged, or `relicensed` when its licences differ (compared as
 *    sets: a reordering is no change);
 * 2. the key's remaining previous versions and remaining current versions are paired from the highest
 *    version down, each pair `upgraded` (`from` → `to`; a downgrade shows the same way, with the lower `to`);
 * 3. what is left unpaired is `added` (current) or `removed` (previous).
 * So lodash 4.17.20 → 4.17.21 is an upgrade, and semver {6.3.1, 7.6.0} → {6.3.1, 7.6.3} is one upgrade of
 * 7.6.0 to 7.6.3, with 6.3.1 unchanged. Every list is sorted by key, then version.
 */
export function diffSbom(previous: SbomSummary | null, current: SbomSummary): SbomDiff {
  const group = (components: readonly SbomComponent[]) => {
    const byKey = new Map<string, SbomComponent[]>();
    for (const c of mergeComponents(components)) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
    return byKey;
  };
  const before = group(previous?.components ?? []);
  const after = group(current.components);
  const diff: SbomDiff = { added: [], removed: [], upgraded: [], relicensed: [] };
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort(compareText);
  for (const key of keys) {
    const was = before.get(key) ?? [];
    const is = after.get(key) ?? [];
    const leftBefore: SbomComponent[] = [];
    for (const p of was) {
      const same = is.find((c) => c.version === p.version);
      if (!same) leftBefore.push(p);
      else if (!sameLicences(p.licenses, same.licenses))
        diff.relicensed.push({ key, version: p.version, licensesFrom: p.licenses, licensesTo: same.licenses });
    }
    const leftAfter = is.filter((c) => !was.some((p) => p.version === c.version));
    // Both lists are sorted by version ascending (mergeComponents); pair from the highest down.
    while (leftBefore.length && leftAfter.length) {
      const from = leftBefore.pop()!;
      const to = leftAfter.pop()!;
      diff.upgraded.push({
        key,
        from: from.version,
        to: to.version,
        licensesFrom: from.licenses,
        licensesTo: to.licenses,
      });
    }
    diff.removed.push(...leftBefore);
    diff.added.push(...leftAfter);
  }
  diff.added.sort(byKeyThenVersion);
  diff.removed.sort(byKeyThenVersion);
  diff.upgraded.sort((a, b) => compareText(a.key, b.key) || compareVersions(a.from, b.from));
  return diff;
}
