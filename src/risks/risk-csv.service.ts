import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { abilityFor, type AppAbility } from '../authz/ability.factory';
import { actorRef, type UserActor } from '../authz/actor';
import { asSubject } from '../authz/subject';
import { ConflictError, FieldProblem, ValidationError } from '../common/errors/app-error';
import { UsersService } from '../identity/users.service';
import { CsvProblem, formatCsvProblem, parseRiskCsv, riskCsv } from './domain/risk-csv';
import type { OwnedRiskFields } from './domain/risk-merge';
import { ExportQueryDto, ImportResultView } from './dto/risk.dto';
import { RiskControlResolver } from './risk-control-resolver';
import { RiskRecords } from './risk-records';
import { csvControlInput, EXPORT_LIMIT, notYours, snapshotOf, type Current, type ResolvedControl } from './risk-views';
import type { Risk } from './risk.entity';
import { RisksRepository } from './risks.repository';

/** A checked row of an import: what to write, over which stored risk (if any), with which controls. */
interface PlannedRow {
  row: OwnedRiskFields;
  current: Risk | null;
  controls: ResolvedControl[] | undefined;
}

type ParsedRow = ReturnType<typeof parseRiskCsv>['rows'][number];

/** The register as CSV: the logged export, and the all-or-nothing import. */
@Injectable()
export class RiskCsvService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: RisksRepository,
    private readonly records: RiskRecords,
    private readonly resolver: RiskControlResolver,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  /** The visible register as CSV (the download is logged). */
  async export(
    actor: UserActor,
    query: ExportQueryDto,
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const states = await this.repo.listVisible(
      abilityFor(actor),
      { register: query.register, product: query.product },
      { limit: EXPORT_LIMIT, offset: 0 },
    );
    const { rows, total } = states;
    if (total > EXPORT_LIMIT)
      throw new ValidationError([
        {
          field: 'product',
          message: `the export holds at most ${EXPORT_LIMIT} risks (${total} match): narrow it by register or product`,
        },
      ]);
    await this.trail.record({
      actor: actorRef(actor),
      action: 'risk.export',
      subjectType: 'Risk',
      subjectId: null,
      data: { register: query.register ?? null, rows: rows.length },
    });
    const controls = await this.records.controlsFor(states);
    return {
      filename: `risks-${query.register ?? 'all'}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: riskCsv(rows.map((r) => snapshotOf(r, controls.get(r.id) ?? []))),
    };
  }

  /**
   * Imports a CSV register, all or nothing: every row is checked first (cells, levels, owners, and whether
   * you may create or change it), and any problem rejects the whole file with each problem named by row
   * and column. A row whose register and ref exist updates that risk (a new version when anything
   * changed); others create risks. Levels in the file are ignored: they are computed.
   */
  async importCsv(actor: UserActor, csv: unknown): Promise<ImportResultView> {
    if (typeof csv !== 'string')
      throw new ValidationError(
        [{ field: 'body', message: 'must be the register as CSV, sent with Content-Type: text/csv' }],
        undefined,
        'risk.import_not_csv',
      );
    const parsed = parseRiskCsv(this.records.matrix(), csv);
    const problems = parsed.problems;
    const ability = abilityFor(actor);
    const plan = await this.planImport(actor, ability, parsed.rows, problems);
    if (problems.length) {
      problems.sort((a, b) => a.row - b.row);
      throw new ValidationError(
        problems.map((p) => ({ field: `row ${p.row}, ${p.column}`, message: p.message })),
        `Nothing was imported: ${problems.length} problem(s). ${problems.slice(0, 20).map(formatCsvProblem).join('; ')}`,
        'risk.import_invalid',
      );
    }
    return this.writeImport(actor, ability, plan);
  }

  /** Checks every row (owners, rights, controls), adding to `problems`; the rows as they would be written. */
  private async planImport(
    actor: UserActor,
    ability: AppAbility,
    rows: ParsedRow[],
    problems: CsvProblem[],
  ): Promise<PlannedRow[]> {
    const existing = new Map(
      (await this.repo.findByRefs(rows.map((r) => ({ register: r.register, ref: r.ref })))).map((r) => [
        `${r.register}:${r.ref}`,
        r,
      ]),
    );
    const owners = new Map<string, boolean>();
    for (const id of new Set(rows.flatMap((r) => (r.ownerUserId ? [r.ownerUserId] : []))))
      owners.set(id, !!(await this.users.findActive(id)));
    const plan: PlannedRow[] = [];
    // Risks a measure introduced may be rows of the same file (created by this import).
    const inFile = new Set(rows.map((r) => `${r.register}:${r.ref}`));
    for (const row of rows) {
      const at = row.row;
      if (row.ownerUserId && !owners.get(row.ownerUserId))
        problems.push({ row: at, column: 'owner_user_id', message: 'is not an active user' });
      const current = existing.get(`${row.register}:${row.ref}`) ?? null;
      const fields = { ...row, ownerUserId: row.ownerUserId ?? current?.ownerUserId ?? actor.id };
      const refused = rowRefusal(ability, row, fields, current);
      if (refused) problems.push({ row: at, ...refused });
      let controls: ResolvedControl[] | undefined;
      if (row.controls) {
        const issues: FieldProblem[] = [];
        controls = await this.resolver.resolveControls(row.controls.map(csvControlInput), issues, {
          ability,
          register: row.register,
          ref: row.ref,
          known: inFile,
        });
        for (const i of issues)
          problems.push({ row: at, column: 'controls', message: `${i.field.replace(/^controls/, '')}: ${i.message}` });
      }
      plan.push({ row: fields, current, controls });
    }
    return plan;
  }

  /** Writes the checked rows and one `risk.import` audit entry in one transaction, locking the risks it changes. */
  private async writeImport(actor: UserActor, ability: AppAbility, plan: PlannedRow[]): Promise<ImportResultView> {
    const counts = { rows: plan.length, created: 0, updated: 0, unchanged: 0 };
    await this.ds.transaction(async (tx) => {
      const ids = plan.flatMap((p) => (p.current ? [p.current.id] : []));
      const locked = await this.repo.lockAllForUpdate(ids, tx);
      const controls = await this.records.controlsOf(ids, tx);
      for (const { row, current, controls: rowControls } of plan) {
        let state: Current | null = null;
        if (current) {
          const risk = locked.get(current.id);
          if (!risk)
            throw new ConflictError(
              'risk.import_conflict',
              `${row.ref} was removed during the import; nothing was imported.`,
            );
          if (!ability.can('update', asSubject('Risk', risk))) throw notYours('update'); // changed hands since the check
          state = { risk, controls: controls.get(risk.id) ?? [] };
        }
        const { outcome } = await this.records.apply(actor, state, row, rowControls, tx);
        counts[outcome]++;
      }
      await this.trail.append(
        { actor: actorRef(actor), action: 'risk.import', subjectType: 'Risk', subjectId: null, data: counts },
        tx,
      );
    });
    return counts;
  }
}

/** Why the actor may not create or change the risk a row names (null: they may). */
function rowRefusal(
  ability: AppAbility,
  row: ParsedRow,
  fields: OwnedRiskFields,
  current: Risk | null,
): { column: string; message: string } | null {
  if (current) {
    if (!ability.can('read', asSubject('Risk', current)) || !ability.can('update', asSubject('Risk', current)))
      return {
        column: 'ref',
        message: ability.can('read', asSubject('Risk', current))
          ? `${row.ref} is already in the ${row.register} register, in a risk you may not change`
          : 'cannot be used; choose another ref',
      };
    if (!ability.can('update', asSubject('Risk', fields)))
      return { column: 'owner_user_id', message: 'you may not hand this risk to another owner' };
    return null;
  }
  if (!ability.can('create', asSubject('Risk', fields)))
    return {
      column: fields.register !== 'iso14971' ? 'register' : 'owner_user_id',
      message: 'you may only create ISO 14971 risks you own',
    };
  return null;
}
