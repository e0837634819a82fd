// Global search (issue 19): one box, every kind of record the person may read that matches — controls,
// requirements, evidence titles, risks, DSR references, documents, incidents. Each section lists its first
// matches and links to its list page filtered by the same words for the rest. Pure: the controller fetches.
import type { Page } from '../common/http/pagination';
import { evidenceWhere } from './evidence-options';

/** The longest search: as the list pages' own filters take (a key, a reference, words of a title). */
export const SEARCH_MAX_CHARS = 100;
/** Matches shown per section; the section's list page has them all. */
export const SEARCH_SECTION_SIZE = 10;

export interface SearchHit {
  href: string;
  label: string;
  detail: string | null;
}

export interface SearchSection {
  key: string;
  title: string;
  total: number;
  hits: SearchHit[];
  /** The list page filtered by the same words, when there is one. */
  more: string | null;
}

/** A section from a page of matches; `more` gets the words appended as `q`. */
export function section<T>(
  key: string,
  title: string,
  page: Pick<Page<T>, 'items' | 'total'>,
  hit: (item: T) => SearchHit,
  more: { path: string; params?: Record<string, string> } | null,
  q: string,
): SearchSection {
  const params = more ? new URLSearchParams({ ...more.params, q }).toString() : '';
  return {
    key,
    title,
    total: page.total,
    hits: page.items.slice(0, SEARCH_SECTION_SIZE).map(hit),
    more: more && page.total > 0 ? `${more.path}?${params}` : null,
  };
}

export function searchPage(q: string, sections: SearchSection[], problem: string | null = null) {
  const found = sections.filter((s) => s.total > 0);
  const total = found.reduce((n, s) => n + s.total, 0);
  return {
    pageTitle: q ? `Search: ${q.slice(0, SEARCH_MAX_CHARS)}` : 'Search',
    q,
    maxChars: SEARCH_MAX_CHARS,
    problem,
    searched: q.length > 0 && !problem,
    total,
    sections: found,
    nothing: q.length > 0 && !problem && total === 0,
    /** What was searched, for the "nothing found" line: each kind the person may read. */
    searchedIn: sections.map((s) => s.title.toLowerCase()).join(', '),
  };
}

/** How each kind of record shows as a match. */
export const HITS = {
  control: (c: { key: string; title: string; ownerDepartment: string }): SearchHit => ({
    href: `/controls/${c.key}`,
    label: `${c.key} ${c.title}`,
    detail: c.ownerDepartment,
  }),
  evidence: (e: { id: string; title: string; controls: string[]; evidenceDate: string }): SearchHit => ({
    // Evidence is read on its control's page (the newest items, with downloads).
    href: e.controls[0] ? `/controls/${e.controls[0]}` : `/api/evidence/${e.id}`,
    label: e.title,
    detail: evidenceWhere(e),
  }),
  risk: (r: { id: string; ref: string; title: string; product: string; level: string }): SearchHit => ({
    href: `/risks/${r.id}`,
    label: `${r.ref} ${r.title}`,
    detail: `${r.product} · ${r.level}`,
  }),
  dsr: (r: { id: string; reference: string; right: string; status: string }): SearchHit => ({
    href: `/dsr/${r.id}`,
    label: r.reference,
    detail: `${r.right} · ${r.status.replace(/_/g, ' ')}`,
  }),
  document: (d: { key: string; title: string; type: string }): SearchHit => ({
    href: `/documents/${encodeURIComponent(d.key)}`,
    label: `${d.key} ${d.title}`,
    detail: d.type,
  }),
  incident: (i: { id: string; ref: string; title: string; severity: string; status: string }): SearchHit => ({
    href: `/incidents/${i.id}`,
    label: `${i.ref} ${i.title}`,
    detail: `${i.severity} · ${i.status}`,
  }),
  requirement: ({
    f,
    r,
  }: {
    f: { key: string };
    r: { ref: string; title: string; controls: string[] };
  }): SearchHit => ({
    href: `/catalog/${f.key}#req-${encodeURIComponent(r.ref)}`,
    label: `${f.key} ${r.ref} ${r.title}`,
    detail: r.controls.join(', ') || null,
  }),
};
