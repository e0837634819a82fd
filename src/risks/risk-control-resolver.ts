import { Injectable } from '@nestjs/common';
import type { AppAbility } from '../authz/ability.factory';
import { asSubject } from '../authz/subject';
import { CatalogService } from '../catalog/catalog.service';
import type { ControlRef } from '../catalog/domain/control-refs';
import type { FieldProblem } from '../common/errors/app-error';
import { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import type { RiskControlInputDto } from './dto/risk.dto';
import type { ResolvedControl } from './risk-views';
import type { Risk } from './risk.entity';
import { RisksRepository } from './risks.repository';

/** Where the controls being resolved belong: the caller's rights, the risk, and (in an import) the file's refs. */
export interface ResolveContext {
  ability: AppAbility;
  register: Risk['register'];
  ref: string;
  known?: Set<string>;
}

/**
 * Turns risk controls as people give them (catalog control by key, evidence ids, arising risk refs) into
 * what is stored, naming every problem: used by the register, the CSV import and the web pages' form.
 */
@Injectable()
export class RiskControlResolver {
  constructor(
    private readonly repo: RisksRepository,
    private readonly catalog: CatalogService,
    private readonly evidence: EvidenceQueriesService,
  ) {}

  /**
   * Catalog controls by key (live ones only), verification evidence that must serve that control, and the
   * risks each measure introduced: refs of other risks in the same register that the caller may read (or,
   * in an import, rows of the same file: `known` holds `register:ref`).
   */
  async resolveControls(
    inputs: RiskControlInputDto[],
    issues: FieldProblem[],
    ctx: ResolveContext,
  ): Promise<ResolvedControl[]> {
    const refs = await this.catalog.controlsByKeys([
      ...new Set(inputs.flatMap((c) => (c.controlKey ? [c.controlKey] : []))),
    ]);
    const byKey = new Map(refs.map((r) => [r.key, r]));
    const arising = [...new Set(inputs.flatMap((c) => c.arisingRisks ?? []))];
    const readable = new Set(
      (await this.repo.findByRefs(arising.map((ref) => ({ register: ctx.register, ref }))))
        .filter((r) => ctx.ability.can('read', asSubject('Risk', r)))
        .map((r) => r.ref),
    );
    const out: ResolvedControl[] = [];
    for (const [i, c] of inputs.entries()) {
      const at = `controls[${i}]`;
      const key = c.controlKey ?? null;
      const control = key ? byKey.get(key) : undefined;
      if (key && (!control || control.retired))
        issues.push({
          field: `${at}.controlKey`,
          message: control ? `${key} is retired` : `${key} is not a control in the catalog`,
        });
      const evidence = await this.checkEvidence(c, at, key, control, issues);
      const arisingRefs = [...new Set(c.arisingRisks ?? [])];
      for (const ref of arisingRefs) {
        if (ref === ctx.ref)
          issues.push({
            field: `${at}.arisingRisks`,
            message: `${ref} is the risk this measure controls; a risk it introduces is a new entry`,
          });
        else if (!readable.has(ref) && !ctx.known?.has(`${ctx.register}:${ref}`))
          issues.push({ field: `${at}.arisingRisks`, message: `${ref} is not a risk in the ${ctx.register} register` });
      }
      out.push({
        type: c.type,
        description: c.description,
        controlKey: key,
        controlId: control?.id ?? null,
        implementationEvidenceIds: evidence.implementationEvidence.map((id) => id.toLowerCase()),
        effectivenessEvidenceIds: evidence.effectivenessEvidence.map((id) => id.toLowerCase()),
        arisingRiskRefs: arisingRefs,
      });
    }
    return out;
  }

  /** A measure's verification evidence, deduplicated; each id must be current evidence of its control. */
  private async checkEvidence(
    c: RiskControlInputDto,
    at: string,
    key: string | null,
    control: ControlRef | undefined,
    issues: FieldProblem[],
  ): Promise<{ implementationEvidence: string[]; effectivenessEvidence: string[] }> {
    const evidence = {
      implementationEvidence: [...new Set(c.implementationEvidence ?? [])],
      effectivenessEvidence: [...new Set(c.effectivenessEvidence ?? [])],
    };
    for (const field of ['implementationEvidence', 'effectivenessEvidence'] as const) {
      const ids = evidence[field];
      if (ids.length === 0) continue;
      if (!key) {
        issues.push({
          field: `${at}.${field}`,
          message: 'needs a controlKey: verification evidence is evidence of the control implementing the measure',
        });
        continue;
      }
      if (!control) continue;
      const linked = new Set(await this.evidence.linkedTo(control.id, ids));
      const missing = ids.filter((id) => !linked.has(id.toLowerCase()));
      if (missing.length)
        issues.push({
          field: `${at}.${field}`,
          message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not current evidence of ${key}`,
        });
    }
    return evidence;
  }
}
