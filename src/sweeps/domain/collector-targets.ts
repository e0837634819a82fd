// Which live controls a collector's snapshot becomes evidence of. Pure: no Nest, no TypeORM.
//
// A control names a collector in controls/*.yaml (`collector:`); some collectors also serve every control
// mapped to certain requirements, whatever its `collector:` says. The quarterly risk review is evidence of
// production and post-production review (ISO 14971 clause 10: safety information reviewed and acted on)
// and of the risk assessment (SOC 2 CC3.1–CC3.4), so the `risk-review` snapshot goes to every live control
// mapped to one of those. It is NOT evidence of clause 9: that is the risk management review before a
// release for commercial distribution, which produces the risk management report (CLS-04); its evidence
// comes from a release. See docs/regulatory-sources.md (ISO 14971).

/** A requirement a collector's evidence serves: a framework key and a pattern on the requirement's ref. */
export interface RequirementRule {
  framework: string;
  ref: RegExp;
  /** How people name it, for logs and the README. */
  label: string;
}

export const COLLECTOR_REQUIREMENTS: Readonly<Record<string, readonly RequirementRule[]>> = {
  'risk-review': [
    { framework: 'iso14971', ref: /^10(\.\d+)*$/, label: 'ISO 14971 clause 10' },
    { framework: 'soc2', ref: /^CC3\.\d+$/, label: 'SOC 2 CC3.x' },
  ],
};

export interface TargetControl {
  id: string;
  key: string;
  collector: string | null;
}

/** Per framework, its live requirements with the ids of the live controls mapped to each (CatalogService.postureInputs). */
export type RequirementMappings = { framework: string; requirements: { ref: string; controlIds: string[] }[] }[];

/**
 * The controls a collector's snapshot is attached to, in catalog order: those naming it in `collector:`,
 * and those mapped to a requirement its rules match.
 */
export function collectorTargets<C extends TargetControl>(
  collector: string,
  controls: C[],
  mappings: RequirementMappings,
  rules = COLLECTOR_REQUIREMENTS[collector] ?? [],
): C[] {
  const mapped = new Set<string>();
  for (const rule of rules) {
    for (const f of mappings) {
      if (f.framework !== rule.framework) continue;
      for (const r of f.requirements) if (rule.ref.test(r.ref)) r.controlIds.forEach((id) => mapped.add(id));
    }
  }
  return controls.filter((c) => c.collector === collector || mapped.has(c.id));
}
