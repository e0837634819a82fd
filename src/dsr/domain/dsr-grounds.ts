// The grounds a data subject gives for an objection or an erasure: pure rules, no Nest or TypeORM.
// Sources (paraphrased, with where each comes from): docs/regulatory-sources.md, "Data subject requests".
import type { FieldProblem } from '../../common/errors/app-error';
import type { DsrRight } from './dsr-clocks';

/**
 * PDPA s. 32 para 1: processing on the public-task or legitimate-interest basis (s. 24(4)/(5)), direct
 * marketing (absolute), or scientific, historical or statistical research.
 */
export const OBJECTION_GROUNDS = ['public_task_or_legitimate_interest', 'direct_marketing', 'research'] as const;
export type ObjectionGround = (typeof OBJECTION_GROUNDS)[number];

/**
 * PDPA s. 33 para 1 (1)–(4): no longer necessary for its purpose, consent withdrawn with no other legal
 * basis, a successful objection under s. 32, processing that was unlawful.
 */
export const ERASURE_GROUNDS = [
  'no_longer_necessary',
  'consent_withdrawn',
  'objection',
  'unlawful_processing',
] as const;
export type ErasureGround = (typeof ERASURE_GROUNDS)[number];

export type DsrGround = ObjectionGround | ErasureGround;
export const DSR_GROUNDS: readonly DsrGround[] = [...OBJECTION_GROUNDS, ...ERASURE_GROUNDS];

export const GROUND_LABEL: Record<DsrGround, string> = {
  public_task_or_legitimate_interest: 'public task or legitimate interest (s. 32 para 1 (1))',
  direct_marketing: 'direct marketing (s. 32 para 1 (2))',
  research: 'research or statistics (s. 32 para 1 (3))',
  no_longer_necessary: 'no longer necessary (s. 33 para 1 (1))',
  consent_withdrawn: 'consent withdrawn, no other basis (s. 33 para 1 (2))',
  objection: 'after an objection (s. 33 para 1 (3))',
  unlawful_processing: 'unlawful processing (s. 33 para 1 (4))',
};

/** The grounds a right takes; null when it takes none. */
export function groundsFor(right: DsrRight): readonly DsrGround[] | null {
  if (right === 'objection') return OBJECTION_GROUNDS;
  if (right === 'erasure') return ERASURE_GROUNDS;
  return null;
}

/** The ground of a new request: required for objection and erasure, refused for the other rights. */
export function checkGround(
  right: DsrRight,
  ground: string | undefined | null,
  problems: FieldProblem[],
): DsrGround | null {
  const allowed = groundsFor(right);
  if (!allowed) {
    if (ground !== undefined && ground !== null)
      problems.push({ field: 'ground', message: 'is only for objection and erasure requests' });
    return null;
  }
  if (ground === undefined || ground === null) {
    problems.push({
      field: 'ground',
      message: `is required for ${right === 'objection' ? 'an objection' : 'an erasure'}: one of ${allowed.join(', ')}`,
    });
    return null;
  }
  if (!(allowed as readonly string[]).includes(ground)) {
    problems.push({
      field: 'ground',
      message: `must be one of ${allowed.join(', ')} for ${right === 'objection' ? 'an objection' : 'an erasure'}`,
    });
    return null;
  }
  return ground as DsrGround;
}

/**
 * An objection's separation is owed at receipt when the ground is direct marketing (flagging is harmless and
 * reversible: a rejected request lifts it), otherwise once the requester's identity is verified.
 */
export function separationOwedFrom(ground: string | null, receivedAt: Date, verifiedAt: Date | null): Date | null {
  return ground === 'direct_marketing' ? receivedAt : verifiedAt;
}

/**
 * The 2024 PDPC erasure notification lets a controller use another method than deletion (e.g. anonymisation)
 * if it tells the subject, except when the ground is unlawful processing: then the data must be deleted.
 */
export function anonymisationAllowed(ground: string | null): boolean {
  return ground !== 'unlawful_processing';
}
