import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { containsPattern } from '../common/db/like';
import type { AppAbility } from '../authz/ability.factory';
import { accessibleBy } from '../authz/casl-sql';
import { Control } from './control.entity';
import type { Cadence, Coverage } from './domain/catalog-model';
import type { ControlRef, LiveControl } from './domain/control-refs';
import { Framework } from './framework.entity';
import { Requirement } from './requirement.entity';

export interface FrameworkSummary {
  framework: Framework;
  requirements: number;
  controls: number;
}

export interface RequirementRow extends Requirement {
  controlKeys: string[];
}

export interface ControlListFilter {
  framework?: string;
  ownerUserId?: string;
  department?: string;
  cadence?: Cadence;
  q?: string;
  limit: number;
  offset: number;
}

export interface ControlMapping {
  framework: string;
  ref: string;
  title: string;
}

/** A control as the list shows it: its columns and its mapped live requirements, read in one query. */
export interface ListedControl {
  id: string;
  key: string;
  title: string;
  description: string;
  ownerDepartment: string;
  ownerUserId: string | null;
  cadence: Cadence;
  maxIntervalDays: number | null;
  evidenceGuidance: string[];
  collector: string | null;
  version: number;
  requirements: ControlMapping[];
}

const LISTED_CONTROL_COLUMNS = [
  'c.id AS id',
  'c.key AS key',
  'c.title AS title',
  'c.description AS description',
  'c.owner_department AS "ownerDepartment"',
  'c.owner_user_id AS "ownerUserId"',
  'c.cadence AS cadence',
  'c.max_interval_days AS "maxIntervalDays"',
  'c.evidence_guidance AS "evidenceGuidance"',
  'c.collector AS collector',
  'c.version AS version',
];

/** The live requirements mapped to the listed control `p`, in the order `mappingsOf` gives them. */
const MAPPINGS_OF_P = `SELECT json_agg(json_build_object('framework', f.key, 'ref', r.ref, 'title', r.title) ORDER BY f.key, r.position)
    FROM control_requirements cr JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
   WHERE cr.control_id = p.id AND r.retired_at IS NULL`;

/** The only place with catalog query code. Retired rows are kept (evidence points at them) and hidden from reads. */
@Injectable()
export class CatalogRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private m(m?: EntityManager): EntityManager {
    return m ?? this.ds.manager;
  }

  // ---- reads ---------------------------------------------------------------------------------------

  async listFrameworks(): Promise<FrameworkSummary[]> {
    const frameworks = await this.ds.manager.find(Framework, { where: { retiredAt: IsNull() }, order: { key: 'ASC' } });
    const counts: { framework_id: string; requirements: string; controls: string }[] = await this.ds.query(
      `SELECT r.framework_id, count(DISTINCT r.id) AS requirements, count(DISTINCT c.id) AS controls
         FROM requirements r
         LEFT JOIN control_requirements cr ON cr.requirement_id = r.id
         LEFT JOIN controls c ON c.id = cr.control_id AND c.retired_at IS NULL
        WHERE r.retired_at IS NULL
        GROUP BY r.framework_id`,
    );
    const byId = new Map(counts.map((c) => [c.framework_id, c]));
    return frameworks.map((framework) => ({
      framework,
      requirements: Number(byId.get(framework.id)?.requirements ?? 0),
      controls: Number(byId.get(framework.id)?.controls ?? 0),
    }));
  }

  findFramework(key: string): Promise<Framework | null> {
    return this.ds.manager.findOne(Framework, { where: { key, retiredAt: IsNull() } });
  }

  /** Requirements of a framework in file order, each with the keys of the live controls mapped to it. */
  async listRequirements(
    frameworkId: string,
    filter: { group?: string; q?: string; limit: number; offset: number },
  ): Promise<{ rows: RequirementRow[]; total: number }> {
    const qb = this.ds.manager
      .createQueryBuilder(Requirement, 'r')
      .where('r.framework_id = :frameworkId AND r.retired_at IS NULL', { frameworkId });
    if (filter.group) qb.andWhere('r.group_name = :group', { group: filter.group });
    if (filter.q) qb.andWhere('(r.ref ILIKE :q OR r.title ILIKE :q)', { q: containsPattern(filter.q) });
    const [rows, total] = await qb
      .orderBy('r.position', 'ASC')
      .skip(filter.offset)
      .take(filter.limit)
      .getManyAndCount();
    const links = await this.controlKeysFor(rows.map((r) => r.id));
    return { rows: rows.map((r) => Object.assign(r, { controlKeys: links.get(r.id) ?? [] })), total };
  }

  private async controlKeysFor(requirementIds: string[]): Promise<Map<string, string[]>> {
    if (requirementIds.length === 0) return new Map();
    const rows: { requirement_id: string; key: string }[] = await this.ds.query(
      `SELECT cr.requirement_id, c.key FROM control_requirements cr JOIN controls c ON c.id = cr.control_id
        WHERE c.retired_at IS NULL AND cr.requirement_id = ANY($1) ORDER BY c.key`,
      [requirementIds],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.requirement_id, [...(out.get(r.requirement_id) ?? []), r.key]);
    return out;
  }

  /** Covered = mapped by a live control; otherwise not applicable (with a reason) or uncovered. */
  async coverage(framework: Framework): Promise<Coverage> {
    const rows: { ref: string; covered: boolean; not_applicable: string | null }[] = await this.ds.query(
      `SELECT r.ref, r.not_applicable,
              EXISTS (SELECT 1 FROM control_requirements cr JOIN controls c ON c.id = cr.control_id
                       WHERE cr.requirement_id = r.id AND c.retired_at IS NULL) AS covered
         FROM requirements r WHERE r.framework_id = $1 AND r.retired_at IS NULL ORDER BY r.position`,
      [framework.id],
    );
    const uncovered = rows.filter((r) => !r.covered && !r.not_applicable).map((r) => r.ref);
    return {
      framework: framework.key,
      total: rows.length,
      covered: rows.filter((r) => r.covered).length,
      notApplicable: rows.filter((r) => !r.covered && r.not_applicable).length,
      uncovered,
    };
  }

  /**
   * Live controls the ability may read, filtered and paged in SQL, in catalog order, each with its mapped
   * live requirements. One query: the total comes with the page (`count(*) OVER ()`), the mappings as a
   * JSON array per row; only a page past the end needs a count of its own.
   */
  async listControls(
    ability: AppAbility,
    filter: ControlListFilter,
  ): Promise<{ rows: ListedControl[]; total: number }> {
    const qb = accessibleBy(this.ds.manager.createQueryBuilder(Control, 'c'), ability, 'read', 'Control').andWhere(
      'c.retired_at IS NULL',
    );
    if (filter.ownerUserId) qb.andWhere('c.owner_user_id = :owner', { owner: filter.ownerUserId });
    if (filter.department) qb.andWhere('c.owner_department = :department', { department: filter.department });
    if (filter.cadence) qb.andWhere('c.cadence = :cadence', { cadence: filter.cadence });
    if (filter.q) qb.andWhere('(c.key ILIKE :q OR c.title ILIKE :q)', { q: containsPattern(filter.q) });
    if (filter.framework) {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM control_requirements cr JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
                  WHERE cr.control_id = c.id AND f.key = :framework AND r.retired_at IS NULL)`,
        { framework: filter.framework },
      );
    }
    // The page's ids first, with the total over the whole filtered set (the window runs over ids only, so
    // PostgreSQL does not carry every filtered control's columns through it), then their columns and the
    // mappings of those rows only.
    const [page, params] = qb
      .clone()
      .select('c.id', 'id')
      .addSelect('c.position', 'position')
      .addSelect('count(*) OVER ()', 'total')
      .orderBy('c.position', 'ASC')
      .offset(filter.offset)
      .limit(filter.limit)
      .getQueryAndParameters();
    const rows = await this.ds.query<(ListedControl & { total: string })[]>(
      `SELECT ${LISTED_CONTROL_COLUMNS.join(', ')}, p.total, COALESCE((${MAPPINGS_OF_P}), '[]'::json) AS requirements
         FROM (${page}) p JOIN controls c ON c.id = p.id ORDER BY p.position`,
      params,
    );
    const total = rows.length ? Number(rows[0].total) : filter.offset > 0 ? await qb.getCount() : 0;
    return { rows: rows.map(({ total: _total, ...row }) => row), total };
  }

  async liveControls(): Promise<LiveControl[]> {
    const rows = await this.ds.manager.find(Control, { where: { retiredAt: IsNull() }, order: { position: 'ASC' } });
    return rows.map(({ id, key, title, cadence, maxIntervalDays, ownerDepartment, ownerUserId, collector }) => ({
      id,
      key,
      title,
      cadence,
      maxIntervalDays,
      ownerDepartment,
      ownerUserId,
      collector,
    }));
  }

  async postureInputs(): Promise<
    { framework: string; requirements: { ref: string; notApplicable: boolean; controlIds: string[] }[] }[]
  > {
    const rows: { framework: string; ref: string; not_applicable: string | null; control_ids: string[] | null }[] =
      await this.ds.query(
        `SELECT f.key AS framework, r.ref, r.not_applicable,
              array_remove(array_agg(c.id ORDER BY c.key), NULL) AS control_ids
         FROM frameworks f
         JOIN requirements r ON r.framework_id = f.id AND r.retired_at IS NULL
         LEFT JOIN control_requirements cr ON cr.requirement_id = r.id
         LEFT JOIN controls c ON c.id = cr.control_id AND c.retired_at IS NULL
        WHERE f.retired_at IS NULL
        GROUP BY f.key, r.ref, r.not_applicable, r.position
        ORDER BY f.key, r.position`,
      );
    const out = new Map<string, { ref: string; notApplicable: boolean; controlIds: string[] }[]>();
    for (const r of rows)
      out.set(r.framework, [
        ...(out.get(r.framework) ?? []),
        { ref: r.ref, notApplicable: !!r.not_applicable, controlIds: r.control_ids ?? [] },
      ]);
    return [...out.entries()].map(([framework, requirements]) => ({ framework, requirements }));
  }

  findControl(key: string, m?: EntityManager): Promise<Control | null> {
    return this.m(m).findOne(Control, { where: { key, retiredAt: IsNull() } });
  }

  /** Controls by key or by id (retired ones included: evidence keeps pointing at them), with their owners. */
  async controlRefs(by: 'key' | 'id', values: string[]): Promise<ControlRef[]> {
    if (values.length === 0) return [];
    // The five columns a reference needs, without hydrating whole Control entities (the evidence list
    // resolves its controls' keys through here on every request).
    const rows = await this.ds.query<
      { id: string; key: string; owner_department: string; owner_user_id: string | null; retired: boolean }[]
    >(
      by === 'key'
        ? `SELECT id, key, owner_department, owner_user_id, retired_at IS NOT NULL AS retired FROM controls WHERE key = ANY($1::text[])`
        : `SELECT id, key, owner_department, owner_user_id, retired_at IS NOT NULL AS retired FROM controls WHERE id = ANY($1::uuid[])`,
      [values],
    );
    return rows.map((c) => ({
      id: c.id,
      key: c.key,
      ownerDepartment: c.owner_department,
      ownerUserId: c.owner_user_id,
      retired: c.retired,
    }));
  }

  /** The requirements a control satisfies, across frameworks. */
  async mappingsOf(controlIds: string[]): Promise<Map<string, ControlMapping[]>> {
    if (controlIds.length === 0) return new Map();
    const rows: { control_id: string; framework: string; ref: string; title: string }[] = await this.ds.query(
      `SELECT cr.control_id, f.key AS framework, r.ref, r.title
         FROM control_requirements cr JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
        WHERE cr.control_id = ANY($1) AND r.retired_at IS NULL
        ORDER BY f.key, r.position`,
      [controlIds],
    );
    const out = new Map<string, ControlMapping[]>();
    for (const r of rows)
      out.set(r.control_id, [...(out.get(r.control_id) ?? []), { framework: r.framework, ref: r.ref, title: r.title }]);
    return out;
  }

  /** Every live control with its mapped requirements of one framework (for exports). */
  async controlsOfFramework(frameworkId: string): Promise<{ control: Control; refs: string[] }[]> {
    const rows: { id: string; ref: string }[] = await this.ds.query(
      `SELECT c.id, r.ref FROM controls c JOIN control_requirements cr ON cr.control_id = c.id JOIN requirements r ON r.id = cr.requirement_id
        WHERE r.framework_id = $1 AND c.retired_at IS NULL AND r.retired_at IS NULL ORDER BY c.position, r.position`,
      [frameworkId],
    );
    const ids = [...new Set(rows.map((r) => r.id))];
    const controls = ids.length ? await this.ds.manager.find(Control, { where: { id: In(ids) } }) : [];
    const byId = new Map(controls.map((c) => [c.id, c]));
    return ids.map((id) => ({ control: byId.get(id)!, refs: rows.filter((r) => r.id === id).map((r) => r.ref) }));
  }

  /** Ids of every control (retired ones too: evidence keeps pointing at them) mapped to a requirement of the frameworks. */
  /** The ids of the controls mapped to each of these frameworks (retired ones included), in one query. */
  async controlIdsByFramework(frameworkKeys: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(frameworkKeys.map((k) => [k, []]));
    if (frameworkKeys.length === 0) return out;
    const rows: { framework: string; id: string }[] = await this.ds.query(
      `SELECT DISTINCT f.key AS framework, cr.control_id AS id FROM control_requirements cr JOIN requirements r ON r.id = cr.requirement_id JOIN frameworks f ON f.id = r.framework_id
        WHERE f.key = ANY($1::text[])`,
      [frameworkKeys],
    );
    for (const r of rows) out.get(r.framework)!.push(r.id);
    return out;
  }

  allRequirementsOf(frameworkId: string): Promise<Requirement[]> {
    return this.ds.manager.find(Requirement, {
      where: { frameworkId, retiredAt: IsNull() },
      order: { position: 'ASC' },
    });
  }

  async setOwner(controlId: string, ownerUserId: string | null, m: EntityManager): Promise<void> {
    await m.update(Control, { id: controlId }, { ownerUserId });
  }
}
