// Posture: for each framework, the share of applicable requirements whose mapped controls are all fresh,
// and what needs attention (stale, missing, due soon), by owner, and the controlled documents whose review
// is overdue. Pure.
import type { Freshness } from './cadence';

export interface PostureControl {
  id: string;
  key: string;
  ownerDepartment: string;
  ownerUserId: string | null;
  freshness: Freshness;
}

export interface PostureRequirement {
  ref: string;
  notApplicable: boolean;
  controlIds: string[];
}

export interface FrameworkPosture {
  framework: string;
  applicable: number;
  fresh: number;
  /** fresh / applicable, 0–1 (1 when nothing applies). */
  share: number;
  /** Applicable requirements not fully fresh. */
  notFresh: string[];
  /** Controls of this framework that are not fresh, worst first. */
  attention: { key: string; freshness: Freshness; ownerDepartment: string; ownerUserId: string | null }[];
  /**
   * Controlled documents whose review day has passed, by key: those supporting a control mapped to this
   * framework, and those supporting no control (company-wide, shown under every framework). Always set by
   * frameworkPosture; optional so that views built by hand (page tests) need not name it.
   */
  overdueReviews?: { key: string; title: string; ownerDepartment: string; nextReviewOn: string }[];
}

/** A document whose review is overdue, with the control keys it supports. */
export interface OverdueDocumentReview {
  key: string;
  title: string;
  ownerDepartment: string;
  nextReviewOn: string;
  controls: string[];
}

const SEVERITY: Record<Freshness, number> = { missing: 0, stale: 1, due_soon: 2, fresh: 3 };

export function frameworkPosture(
  framework: string,
  requirements: PostureRequirement[],
  controls: Map<string, PostureControl>,
  reviews: readonly OverdueDocumentReview[] = [],
): FrameworkPosture {
  const applicable = requirements.filter((r) => !r.notApplicable && r.controlIds.length > 0);
  const isFresh = (r: PostureRequirement) => r.controlIds.every((id) => controls.get(id)?.freshness === 'fresh');
  const fresh = applicable.filter(isFresh);
  const ids = new Set(applicable.flatMap((r) => r.controlIds));
  const attention = [...ids]
    .map((id) => controls.get(id))
    .filter((c): c is PostureControl => !!c && c.freshness !== 'fresh')
    .sort((a, b) => SEVERITY[a.freshness] - SEVERITY[b.freshness] || a.key.localeCompare(b.key))
    .map(({ key, freshness, ownerDepartment, ownerUserId }) => ({ key, freshness, ownerDepartment, ownerUserId }));
  return {
    framework,
    applicable: applicable.length,
    fresh: fresh.length,
    share: applicable.length ? fresh.length / applicable.length : 1,
    notFresh: applicable.filter((r) => !isFresh(r)).map((r) => r.ref),
    attention,
    overdueReviews: overdueReviewsOf(requirements, controls, reviews),
  };
}

/** The overdue reviews a framework shows: documents supporting one of its controls, or no control at all. */
function overdueReviewsOf(
  requirements: PostureRequirement[],
  controls: Map<string, PostureControl>,
  reviews: readonly OverdueDocumentReview[],
): FrameworkPosture['overdueReviews'] {
  const keys = new Set(requirements.flatMap((r) => r.controlIds.map((id) => controls.get(id)?.key ?? '')));
  return reviews
    .filter((d) => d.controls.length === 0 || d.controls.some((k) => keys.has(k)))
    .map(({ key, title, ownerDepartment, nextReviewOn }) => ({ key, title, ownerDepartment, nextReviewOn }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
