import type { FieldProblem } from '../../common/errors/app-error';
import {
  anonymisationAllowed,
  checkGround,
  ERASURE_GROUNDS,
  OBJECTION_GROUNDS,
  separationOwedFrom,
} from './dsr-grounds';

describe('grounds of objections (s. 32 para 1) and erasures (s. 33 para 1)', () => {
  const check = (right: Parameters<typeof checkGround>[0], ground: string | undefined) => {
    const problems: FieldProblem[] = [];
    return { ground: checkGround(right, ground, problems), problems: problems.map((p) => p.field) };
  };

  it('requires one of the right’s grounds for objection and erasure, and refuses one for other rights', () => {
    expect(OBJECTION_GROUNDS).toEqual(['public_task_or_legitimate_interest', 'direct_marketing', 'research']);
    expect(ERASURE_GROUNDS).toEqual(['no_longer_necessary', 'consent_withdrawn', 'objection', 'unlawful_processing']);
    expect(check('objection', 'direct_marketing')).toEqual({ ground: 'direct_marketing', problems: [] });
    expect(check('erasure', 'unlawful_processing')).toEqual({ ground: 'unlawful_processing', problems: [] });
    expect(check('objection', undefined).problems).toEqual(['ground']);
    expect(check('erasure', 'direct_marketing').problems).toEqual(['ground']); // an objection ground, not an erasure one
    expect(check('access', 'no_longer_necessary').problems).toEqual(['ground']);
    expect(check('access', undefined)).toEqual({ ground: null, problems: [] });
  });

  it('owes separation at receipt for direct marketing, at verification otherwise', () => {
    const received = new Date('2026-11-02T03:00:00Z');
    const verified = new Date('2026-11-03T03:00:00Z');
    expect(separationOwedFrom('direct_marketing', received, null)).toEqual(received);
    expect(separationOwedFrom('research', received, null)).toBeNull();
    expect(separationOwedFrom('public_task_or_legitimate_interest', received, verified)).toEqual(verified);
  });

  it('refuses anonymisation instead of deletion only when the ground is unlawful processing', () => {
    expect(ERASURE_GROUNDS.filter((g) => !anonymisationAllowed(g))).toEqual(['unlawful_processing']);
  });
});
