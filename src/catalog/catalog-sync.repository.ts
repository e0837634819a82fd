import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { jsonRows } from '../common/db/json-rows';
import { Control } from './control.entity';
import { Framework } from './framework.entity';
import { Requirement } from './requirement.entity';

/** The columns a catalog sync writes, per table (retired_at is cleared, updated_at set). */
export type SyncedFramework = Pick<
  Framework,
  'key' | 'name' | 'edition' | 'description' | 'sourceFile' | 'version' | 'contentHash'
>;
export type SyncedRequirement = Pick<
  Requirement,
  'frameworkId' | 'ref' | 'groupName' | 'title' | 'notApplicable' | 'position' | 'version' | 'contentHash'
>;
export type SyncedControl = Pick<
  Control,
  | 'key'
  | 'title'
  | 'description'
  | 'ownerDepartment'
  | 'cadence'
  | 'maxIntervalDays'
  | 'evidenceGuidance'
  | 'collector'
  | 'position'
  | 'sourceFile'
  | 'version'
  | 'contentHash'
>;

/** A stored row as a sync reads it: the columns it compares, without the entity's relations and times. */
export type StoredFramework = Omit<Framework, 'updatedAt'>;
export type StoredRequirement = Omit<Requirement, 'updatedAt' | 'framework'>;
export type StoredControl = Omit<Control, 'updatedAt' | 'ownerUserId'>;

/** [property, its PostgreSQL type, column (default: the property)]. */
type UpsertColumn = readonly [property: string, type: string, column?: string];

/**
 * One `INSERT … SELECT … ON CONFLICT (…) DO UPDATE … RETURNING` for all rows, sent as one parameter whatever
 * their number (jsonRows(): no 65,535-parameter limit). Returns the id and the conflict columns.
 */
async function upsert<R>(
  m: EntityManager,
  table: string,
  conflict: string[],
  rows: object[],
  columns: UpsertColumn[],
): Promise<R[]> {
  if (rows.length === 0) return [];
  const names = columns.map(([property, , column]) => column ?? property);
  const source = jsonRows(
    rows as Record<string, unknown>[],
    columns.map(([property, type], i) => ({ name: names[i], type, value: (r) => r[property] })),
  );
  const set = names.filter((n) => !conflict.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  return m.query(
    `INSERT INTO ${table} (${names.join(', ')}, retired_at)
     SELECT ${names.map((n) => `u.${n}`).join(', ')}, NULL FROM ${source.from} AS u
     ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ${set.join(', ')}, retired_at = NULL, updated_at = now()
     RETURNING id, ${conflict.join(', ')}`,
    [source.param],
  );
}

/**
 * The catalog sync's reads and writes (CatalogSyncService): the stored rows as a sync compares them, set-based
 * upserts and retirements, and the controls' requirement links. Everything runs in the sync's transaction.
 */
@Injectable()
export class CatalogSyncRepository {
  async lockForSync(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [0x43415447]); // "CATG": one sync at a time across instances
  }

  /** The fingerprint the last completed sync stored (catalog_sync_state), or null before the first. */
  async storedFingerprint(m: EntityManager): Promise<string | null> {
    const rows: { fingerprint: string }[] = await m.query(`SELECT fingerprint FROM catalog_sync_state WHERE id = 1`);
    return rows[0]?.fingerprint ?? null;
  }

  /** Records what this sync was made from; in the sync's transaction, so only a committed sync counts. */
  async storeFingerprint(fingerprint: string, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO catalog_sync_state (id, fingerprint, synced_at) VALUES (1, $1, now())
       ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, synced_at = EXCLUDED.synced_at`,
      [fingerprint],
    );
  }

  // The stored rows as plain objects in the entities' shape, only the columns a sync compares: read once per
  // sync, so no entity hydration (5,000 Control entities took about half of an unchanged sync's time).
  // In their stored order, so rows leaving the catalog are retired (and audited) in a defined order.

  allFrameworks(m: EntityManager): Promise<StoredFramework[]> {
    return m.query(
      `SELECT id, key, name, edition, description, source_file AS "sourceFile", version,
              content_hash AS "contentHash", retired_at AS "retiredAt"
         FROM frameworks ORDER BY key`,
    );
  }

  allRequirements(m: EntityManager): Promise<StoredRequirement[]> {
    return m.query(
      `SELECT id, framework_id AS "frameworkId", ref, group_name AS "groupName", title,
              not_applicable AS "notApplicable", position, version, content_hash AS "contentHash",
              retired_at AS "retiredAt"
         FROM requirements ORDER BY framework_id, position, ref`,
    );
  }

  allControls(m: EntityManager): Promise<StoredControl[]> {
    return m.query(
      `SELECT id, key, title, description, owner_department AS "ownerDepartment", cadence,
              max_interval_days AS "maxIntervalDays", evidence_guidance AS "evidenceGuidance", collector,
              position, source_file AS "sourceFile", version, content_hash AS "contentHash",
              retired_at AS "retiredAt"
         FROM controls ORDER BY position, key`,
    );
  }

  /** Inserts or updates frameworks by key (live again); the ids by key. */
  async upsertFrameworks(rows: SyncedFramework[], m: EntityManager): Promise<Map<string, string>> {
    const out = await upsert<{ id: string; key: string }>(m, 'frameworks', ['key'], rows, [
      ['key', 'text'],
      ['name', 'text'],
      ['edition', 'text'],
      ['description', 'text'],
      ['sourceFile', 'text', 'source_file'],
      ['version', 'integer'],
      ['contentHash', 'text', 'content_hash'],
    ]);
    return new Map(out.map((r) => [r.key, r.id]));
  }

  /** Inserts or updates requirements by framework and ref (live again); the ids by `framework id:ref`. */
  async upsertRequirements(rows: SyncedRequirement[], m: EntityManager): Promise<Map<string, string>> {
    const out = await upsert<{ id: string; framework_id: string; ref: string }>(
      m,
      'requirements',
      ['framework_id', 'ref'],
      rows,
      [
        ['frameworkId', 'uuid', 'framework_id'],
        ['ref', 'text'],
        ['groupName', 'text', 'group_name'],
        ['title', 'text'],
        ['notApplicable', 'text', 'not_applicable'],
        ['position', 'integer'],
        ['version', 'integer'],
        ['contentHash', 'text', 'content_hash'],
      ],
    );
    return new Map(out.map((r) => [`${r.framework_id}:${r.ref}`, r.id]));
  }

  /** Inserts or updates controls by key (live again; the owner assigned in the app stays); the ids by key. */
  async upsertControls(rows: SyncedControl[], m: EntityManager): Promise<Map<string, string>> {
    const out = await upsert<{ id: string; key: string }>(m, 'controls', ['key'], rows, [
      ['key', 'text'],
      ['title', 'text'],
      ['description', 'text'],
      ['ownerDepartment', 'text', 'owner_department'],
      ['cadence', 'control_cadence'],
      ['maxIntervalDays', 'integer', 'max_interval_days'],
      ['evidenceGuidance', 'jsonb', 'evidence_guidance'],
      ['collector', 'text'],
      ['position', 'integer'],
      ['sourceFile', 'text', 'source_file'],
      ['version', 'integer'],
      ['contentHash', 'text', 'content_hash'],
    ]);
    return new Map(out.map((r) => [r.key, r.id]));
  }

  /** Marks rows retired (kept: evidence points at them). */
  async retire(table: 'frameworks' | 'requirements' | 'controls', ids: string[], m: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await m.query(`UPDATE ${table} SET retired_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The mapped refs by framework, sorted (as the content hash sees them), of these controls. */
  async controlMaps(controlIds: string[], m: EntityManager): Promise<Map<string, Record<string, string[]>>> {
    const out = new Map<string, Record<string, string[]>>();
    if (controlIds.length === 0) return out;
    const rows: { control_id: string; framework: string; ref: string }[] = await m.query(
      `SELECT cr.control_id, f.key AS framework, r.ref FROM control_requirements cr
         JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
        WHERE cr.control_id = ANY($1::uuid[])`,
      [controlIds],
    );
    for (const r of rows) {
      const maps = out.get(r.control_id) ?? {};
      (maps[r.framework] ??= []).push(r.ref);
      out.set(r.control_id, maps);
    }
    for (const maps of out.values()) for (const refs of Object.values(maps)) refs.sort();
    return out;
  }

  /** Replaces the requirement links of these controls with `links`, in two statements. */
  async replaceControlLinks(
    controlIds: string[],
    links: { controlId: string; requirementId: string }[],
    m: EntityManager,
  ): Promise<void> {
    if (controlIds.length === 0) return;
    await m.query(`DELETE FROM control_requirements WHERE control_id = ANY($1::uuid[])`, [controlIds]);
    if (links.length === 0) return;
    const source = jsonRows(links, [
      { name: 'control_id', type: 'uuid', value: (l) => l.controlId },
      { name: 'requirement_id', type: 'uuid', value: (l) => l.requirementId },
    ]);
    await m.query(
      `INSERT INTO control_requirements (control_id, requirement_id) SELECT control_id, requirement_id FROM ${source.from} AS u`,
      [source.param],
    );
  }
}
