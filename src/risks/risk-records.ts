import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { AppAbility } from '../authz/ability.factory';
import { actorRef, type Actor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import { FieldProblem } from '../common/errors/app-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { UsersService } from '../identity/users.service';
import type { OwnedRiskFields } from './domain/risk-merge';
import { RiskMatrixFile, RiskScale, scaleFor } from './domain/risk-matrix';
import { assess, diffSnapshots, RiskRegister, RiskSnapshot, type FieldChange } from './domain/risk-model';
import type { ArisingFromView } from './dto/risk.dto';
import { loadRiskMatrix } from './risk-matrix-loader';
import { controlSnapshot, snapshotOf, type Current, type ResolvedControl } from './risk-views';
import type { Risk } from './risk.entity';
import { RiskMatrixInvalidError } from './risks.errors';
import { RisksRepository, type RiskStates } from './risks.repository';

export type Outcome = 'created' | 'updated' | 'unchanged';

/**
 * What every risk use case shares: the matrix, reading a risk as the actor may, the controls of risks, and
 * writing a risk (levels from the matrix, a version and an audit-trail entry) in the caller's transaction.
 */
@Injectable()
export class RiskRecords {
  private loadedMatrix: RiskMatrixFile | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RisksRepository,
    private readonly catalog: CatalogService,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  /** The acceptability matrix from controls/risk-matrix.yaml, loaded once; RiskMatrixInvalidError lists its problems. */
  matrix(): RiskMatrixFile {
    if (!this.loadedMatrix) {
      const { matrix, problems } = loadRiskMatrix(this.config.controlsDir);
      if (!matrix) throw new RiskMatrixInvalidError(problems);
      this.loadedMatrix = matrix;
    }
    return this.loadedMatrix;
  }

  /** A register's scale: S × P from the ISO 14971 matrix, or the security register's own I × L. */
  scale(register: RiskRegister): RiskScale {
    return scaleFor(this.matrix(), register);
  }

  async readable(ability: AppAbility, id: string): Promise<Risk> {
    return readableOr404(ability, 'Risk', await this.repo.findById(id), { entity: 'risk', id });
  }

  async checkOwner(userId: string, issues: FieldProblem[]): Promise<void> {
    if (!(await this.users.findActive(userId))) issues.push({ field: 'ownerUserId', message: 'is not an active user' });
  }

  /** The controls of each listed risk as it stands in the list: its current ones, or those of the older version it was rebuilt from. */
  async controlsFor(states: RiskStates): Promise<Map<string, ResolvedControl[]>> {
    const out = await this.controlsOf(states.rows.filter((r) => !states.snapshots.has(r.id)).map((r) => r.id));
    for (const [id, controls] of states.snapshots)
      out.set(
        id,
        controls.map((c) => ({ ...controlSnapshot(c), controlId: null })),
      );
    return out;
  }

  /** Each risk's controls, with the keys of their catalog controls. */
  async controlsOf(riskIds: string[], m?: EntityManager): Promise<Map<string, ResolvedControl[]>> {
    const rows = await this.repo.controlsOf(riskIds, m);
    const ids = [...new Set([...rows.values()].flat().flatMap((c) => (c.controlId ? [c.controlId] : [])))];
    const keys = new Map((await this.catalog.controlsByIds(ids)).map((c) => [c.id, c.key]));
    const out = new Map<string, ResolvedControl[]>();
    for (const [riskId, cs] of rows) {
      out.set(
        riskId,
        cs.map((c) => ({
          type: c.type,
          description: c.description,
          controlId: c.controlId,
          controlKey: c.controlId ? (keys.get(c.controlId) ?? null) : null,
          implementationEvidenceIds: c.implementationEvidenceIds,
          effectivenessEvidenceIds: c.effectivenessEvidenceIds,
          arisingRiskRefs: c.arisingRiskRefs,
        })),
      );
    }
    return out;
  }

  /** For each of `refs`: the readable measures of other risks in the register that introduced it. */
  async origins(ability: AppAbility, register: RiskRegister, refs: string[]): Promise<Map<string, ArisingFromView[]>> {
    const out = new Map<string, ArisingFromView[]>();
    for (const rc of await this.repo.controlsIntroducing(register, refs)) {
      if (!rc.risk || !ability.can('read', asSubject('Risk', rc.risk))) continue;
      for (const ref of rc.arisingRiskRefs) {
        if (refs.includes(ref))
          out.set(ref, [
            ...(out.get(ref) ?? []),
            { id: rc.risk.id, ref: rc.risk.ref, title: rc.risk.title, control: rc.position + 1 },
          ]);
      }
    }
    return out;
  }

  /**
   * Writes a risk (new, or a change of `current`) with levels computed from the matrix, its controls when
   * given, a version row with before/after and an audit-trail entry, in the caller's transaction. Nothing
   * is written when nothing changed.
   */
  async apply(
    actor: Actor,
    current: Current | null,
    fields: OwnedRiskFields,
    controls: ResolvedControl[] | undefined,
    m: EntityManager,
  ): Promise<{ risk: Risk; outcome: Outcome }> {
    const { assessment } = assess(this.scale(fields.register), fields);
    if (!assessment) throw new Error('apply() called with fields that do not assess'); // callers check fieldIssues first
    const nextControls = controls ?? current?.controls ?? [];
    const values = {
      register: fields.register,
      ref: fields.ref,
      product: fields.product,
      title: fields.title,
      hazard: fields.hazard,
      sequenceOfEvents: fields.sequenceOfEvents,
      hazardousSituation: fields.hazardousSituation,
      harm: fields.harm,
      ...assessment,
      benefitRisk: fields.benefitRisk,
      status: fields.status,
      treatment: fields.treatment,
      dueOn: fields.dueOn,
      ownerUserId: fields.ownerUserId,
    };
    const after: RiskSnapshot = { ...values, controls: nextControls.map(controlSnapshot) };
    const before = current ? snapshotOf(current.risk, current.controls) : null;
    const changes = diffSnapshots(before, after);
    if (current && changes.length === 0) return { risk: current.risk, outcome: 'unchanged' };
    const version = current ? current.risk.version + 1 : 1;
    let risk: Risk;
    if (current) {
      await this.repo.update(current.risk.id, { ...values, version }, m);
      risk = { ...current.risk, ...values, version };
    } else {
      risk = await this.repo.insert({ ...values, version }, m);
    }
    if (!current || changes.some((c) => c.field === 'controls')) await this.writeControls(risk.id, nextControls, m);
    await this.recordVersion(actor, { risk, version, created: !current, before, after, changes }, m);
    return { risk, outcome: current ? 'updated' : 'created' };
  }

  private async writeControls(riskId: string, controls: ResolvedControl[], m: EntityManager): Promise<void> {
    await this.repo.replaceControls(
      riskId,
      controls.map((c, position) => ({
        position,
        type: c.type,
        description: c.description,
        controlId: c.controlId,
        implementationEvidenceIds: c.implementationEvidenceIds,
        effectivenessEvidenceIds: c.effectivenessEvidenceIds,
        arisingRiskRefs: c.arisingRiskRefs,
      })),
      m,
    );
  }

  /** The version row (before/after) and the audit-trail entry naming the changed fields. */
  private async recordVersion(
    actor: Actor,
    v: {
      risk: Risk;
      version: number;
      created: boolean;
      before: RiskSnapshot | null;
      after: RiskSnapshot;
      changes: FieldChange[];
    },
    m: EntityManager,
  ): Promise<void> {
    const { risk, version } = v;
    const ref = actorRef(actor);
    await this.repo.insertVersion(
      {
        riskId: risk.id,
        version,
        actor: ref,
        before: v.before,
        after: v.after,
      },
      m,
    );
    await this.trail.append(
      {
        actor: ref,
        action: v.created ? 'risk.create' : 'risk.update',
        subjectType: 'Risk',
        subjectId: risk.id,
        data: {
          register: risk.register,
          ref: risk.ref,
          version,
          level: risk.level,
          residualLevel: risk.residualLevel,
          status: risk.status,
          changed: v.changes.map((c) => c.field),
        },
      },
      m,
    );
  }
}
