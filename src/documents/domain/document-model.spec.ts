import {
  contentEditable,
  contentSha256,
  isOpen,
  nextReviewOn,
  transition,
  VERSION_STATUSES,
  type VersionEvent,
  type VersionStatus,
} from './document-model';

describe('transition', () => {
  const allowed: [VersionStatus, VersionEvent, VersionStatus][] = [
    ['draft', 'submit', 'in_review'],
    ['in_review', 'approve', 'approved'],
    ['in_review', 'reject', 'draft'],
    ['approved', 'publish', 'published'],
    ['published', 'supersede', 'superseded'],
    ['published', 'retire', 'retired'],
    ['approved', 'retire', 'retired'],
  ];
  it.each(allowed)('%s --%s--> %s', (from, event, to) => expect(transition(from, event)).toBe(to));

  it('refuses every other move (no skipping review, nothing leaves superseded or retired)', () => {
    const events: VersionEvent[] = ['submit', 'approve', 'reject', 'publish', 'supersede', 'retire'];
    const refused = VERSION_STATUSES.flatMap((from) =>
      events
        .filter((e) => !allowed.some(([f, ev]) => f === from && ev === e))
        .map((e) => [from, e, transition(from, e)]),
    );
    expect(refused.length).toBe(VERSION_STATUSES.length * events.length - allowed.length);
    expect(refused.every(([, , to]) => to === null)).toBe(true);
    expect(transition('draft', 'publish')).toBeNull();
    expect(transition('draft', 'approve')).toBeNull();
    expect(transition('superseded', 'publish')).toBeNull();
  });
});

describe('content and open versions', () => {
  it('only a draft is editable', () => {
    expect(VERSION_STATUSES.filter(contentEditable)).toEqual(['draft']);
  });
  it('draft, in review and approved are on their way to publication', () => {
    expect(VERSION_STATUSES.filter(isOpen)).toEqual(['draft', 'in_review', 'approved']);
  });
});

describe('contentSha256', () => {
  it('is the SHA-256 of the UTF-8 text', () => {
    expect(contentSha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(contentSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('changes with one character, Thai text included', () => {
    expect(contentSha256('นโยบาย')).not.toBe(contentSha256('นโยบาข'));
    expect(contentSha256('a\n')).not.toBe(contentSha256('a'));
  });
});

describe('nextReviewOn', () => {
  it.each([
    ['2026-01-15', 12, '2027-01-15'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2027-12-31', 2, '2028-02-29'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-06-01', 24, '2028-06-01'],
  ])('%s + %i months = %s', (from, months, to) => expect(nextReviewOn(from, months)).toBe(to));
});
