// From the risk pages' flat forms to the risks API's DTOs, validated exactly as the API validates them (the
// same classes, the same pipe: see incident-forms.ts), so the page and the API refuse the same things with
// the same words. A refused form keeps what was typed and shows each problem next to its field.
import type { FieldProblem } from '../common/errors/app-error';
import { RISK_REGISTERS, type RiskRegister } from '../risks/domain/risk-model';
import type { AddRiskControlFormDto, RiskPlanFormDto, RiskReviewFormDto } from './dto/risk-forms.dto';
import { formField } from './incident-forms';
import { plainDetail, plainFieldProblems } from './plain-messages';

/** The risk pages' forms: on the register page "Add a hazard", the plan and the review; on a risk's page its control. */
export type RiskFormName = 'hazard' | 'plan' | 'review' | 'control';

/** A refused form: which one, what was typed, each field's problem, and the refusal in words. */
export interface RiskFormState {
  form: RiskFormName;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  detail: string;
}

/** The register a form named, or the one the register page shows by default. */
export function registerOf(value: string | undefined): RiskRegister {
  return (RISK_REGISTERS as readonly string[]).includes(value ?? '') ? (value as RiskRegister) : 'iso14971';
}

/** A hidden version field: digits as a number; anything else (also nothing) stays for validation to name. */
const version = (v: string | undefined): unknown => (v && /^\d+$/.test(v) ? Number(v) : (v ?? ''));
const given = (v: string | undefined): string | undefined => (v?.trim() ? v.trim() : undefined);
/** Ids or refs typed into one field, separated by commas, spaces or new lines. */
const idList = (v: string | undefined): string[] => (v ?? '').split(/[\s,]+/).filter(Boolean);

/** The plan form as the API's PutRiskPlanDto body: an empty statement clears it (null). */
export function planBody(f: RiskPlanFormDto): object {
  return {
    scope: (f.scope ?? '').trim(),
    intendedUse: (f.intendedUse ?? '').trim(),
    acceptabilityPolicy: (f.acceptabilityPolicy ?? '').trim(),
    reviewCadence: f.reviewCadence ?? '',
    residualRiskStatement: given(f.residualRiskStatement) ?? null,
    version: version(f.version),
  };
}

/** The review form as the API's CreateRiskReviewDto body (no register: the default one). */
export function reviewBody(f: RiskReviewFormDto): object {
  return { register: given(f.register), notes: (f.notes ?? '').trim() };
}

/**
 * "Add a risk control" as the API's UpdateRiskDto body: the version the page showed, the one new control, and
 * the residual assessment when either level is chosen (the other then cleared, for the rules to name).
 */
export function addControlBody(f: AddRiskControlFormDto): object {
  const residual =
    given(f.residualSeverity) || given(f.residualProbability)
      ? {
          residualSeverity: given(f.residualSeverity) ?? null,
          residualProbability: given(f.residualProbability) ?? null,
        }
      : {};
  return {
    version: version(f.version),
    controls: [
      {
        type: f.type ?? '',
        description: (f.description ?? '').trim(),
        controlKey: given(f.controlKey) ?? null,
        implementationEvidence: idList(f.implementationEvidence),
        effectivenessEvidence: idList(f.effectivenessEvidence),
        arisingRisks: idList(f.arisingRisks),
      },
    ],
    ...residual,
  };
}

/** The API's field as the form's: the one control the form adds (`controls.0.type`, `controls[0].controlKey`). */
export function riskFormField(field: string): string {
  return formField(field.replace(/^controls(?:\.\d+|\[\d+\])\./, ''));
}

/** The refused form's state: its values and each field's problems, in plain words. */
export function refusedRiskForm(
  form: RiskFormName,
  values: object,
  problem: { message: string; errors: FieldProblem[] },
): RiskFormState {
  const problems = problem.errors.map((p) => ({ field: riskFormField(p.field), message: p.message }));
  const errors: Record<string, string> = {};
  for (const p of plainFieldProblems(problems))
    errors[p.field] = errors[p.field] ? `${errors[p.field]} ${p.message}` : p.message;
  return { form, values: { ...values }, errors, detail: plainDetail(problem.message, problems) };
}
