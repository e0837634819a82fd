// What counts as a change of a catalog item: the SHA-256 of its canonical (RFC 8785) content.
// Position in the file is not content: reordering a file changes no versions.
import canonicalize from 'canonicalize';
import { hash as sha256 } from 'node:crypto';
import type { CatalogControl, CatalogFramework, CatalogRequirement } from './catalog-model';

/** Hex SHA-256 of the canonical JSON of a content (one-shot: no Hash object per item). */
export function contentHash(value: unknown): string {
  return sha256('sha256', canonicalize(value) ?? '', 'hex');
}

export function frameworkContent(f: CatalogFramework) {
  return { name: f.name, edition: f.version, description: f.description };
}

export function requirementContent(r: CatalogRequirement) {
  return { group: r.group, title: r.title, notApplicable: r.notApplicable };
}

export function controlContent(c: CatalogControl) {
  const maps = Object.fromEntries(Object.entries(c.maps).map(([fw, refs]) => [fw, [...refs].sort()]));
  // maxIntervalDays only when set, so the hashes of calendar-cadence controls did not change when it came.
  return {
    title: c.title,
    description: c.description,
    owner: c.owner,
    cadence: c.cadence,
    ...(c.maxIntervalDays !== null ? { maxIntervalDays: c.maxIntervalDays } : {}),
    evidence: c.evidence,
    collector: c.collector,
    maps,
  };
}

export const frameworkHash = (f: CatalogFramework) => contentHash(frameworkContent(f));
export const requirementHash = (r: CatalogRequirement) => contentHash(requirementContent(r));
export const controlHash = (c: CatalogControl) => contentHash(controlContent(c));

/** Names of the fields that differ between two contents (for the audit entry of an update). */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((k) => canonicalize(before[k] ?? null) !== canonicalize(after[k] ?? null));
}
