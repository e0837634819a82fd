import type { ControlView } from '../catalog/dto/catalog.dto';
import type { EngagementRequestView, EngagementView } from '../engagements/dto/engagement.dto';
import {
  auditControlPage,
  auditFrameworkPage,
  auditPortalPage,
  controlMappingsInScope,
  engagementsPage,
  EVIDENCE_PAGE,
  requirementAnchor,
  revokePage,
} from './audit.page';

const engagement = (id: string, auditorUserId: string, state: string) =>
  ({
    id,
    auditorUserId,
    state,
    frameworks: ['soc2'],
    from: '2026-01-01',
    to: '2026-06-30',
  }) as unknown as EngagementView;
const request = (engagementId: string, requirementRef: string, framework = 'soc2') =>
  ({ id: `q-${engagementId}-${requirementRef}`, engagementId, framework, requirementRef }) as EngagementRequestView;

describe('requirementAnchor', () => {
  it('turns a ref into an id an URL fragment can name', () => {
    expect(requirementAnchor('CC6.1')).toBe('req-CC6_1');
    expect(requirementAnchor('s.26(1)')).toBe('req-s_26_1_');
  });
});

describe('auditPortalPage', () => {
  const page = auditPortalPage({
    auditorUserId: 'a-1',
    engagements: [
      engagement('e-1', 'a-1', 'active'),
      engagement('e-2', 'a-1', 'expired'),
      engagement('e-3', 'a-2', 'active'),
    ],
    requests: [request('e-1', 'CC6.1'), request('e-3', 'CC7.2')],
    can: { requestPacks: true, manage: false, readPacks: true },
    signing: null,
  });

  it('shows only the auditor’s own engagements, active ones with their own requests', () => {
    expect(page.active.map((e) => [e.id, e.requests.map((r) => r.id)])).toEqual([['e-1', ['q-e-1-CC6.1']]]);
    expect(page.ended.map((e) => e.id)).toEqual(['e-2']);
  });

  it('shows no requests when the actor may not read them', () => {
    const none = auditPortalPage({
      auditorUserId: 'a-1',
      engagements: [engagement('e-1', 'a-1', 'active')],
      requests: null,
      can: { requestPacks: false, manage: false, readPacks: false },
      signing: null,
    });
    expect(none.active[0].requests).toEqual([]);
  });
});

describe('auditFrameworkPage', () => {
  it('puts each request on its requirement of this framework and says when the list is cut', () => {
    const page = auditFrameworkPage({
      engagement: engagement('e-1', 'a-1', 'active'),
      framework: { key: 'soc2', name: 'SOC 2' },
      requirements: { items: [{ ref: 'CC6.1' } as any, { ref: 'CC6.2' } as any], total: 61, limit: 2, offset: 0 },
      requests: [request('e-1', 'CC6.1'), request('e-1', 'CC6.1', 'pdpa')],
      canRequest: true,
    });
    expect(page.requirements.map((r) => [r.anchor, r.requests.length])).toEqual([
      ['req-CC6_1', 1],
      ['req-CC6_2', 0],
    ]);
    expect([page.more, page.pageTitle]).toEqual([true, 'SOC 2 · audit']);
  });
});

describe('auditControlPage', () => {
  const control = {
    key: 'AC-01',
    requirements: [
      { framework: 'soc2', ref: 'CC6.1' },
      { framework: 'pdpa', ref: 's.37(1)' },
    ],
  } as unknown as ControlView;

  it('maps the control only to the engagement’s frameworks (none: out of scope)', () => {
    expect(controlMappingsInScope(control, ['soc2']).map((m) => m.anchor)).toEqual(['req-CC6_1']);
    expect(controlMappingsInScope(control, ['iso14971'])).toEqual([]);
  });

  it('counts the evidence shown and links the neighbouring pages', () => {
    const items = Array.from({ length: EVIDENCE_PAGE }, (_, i) => ({ id: `ev-${i}` }) as any);
    const page = auditControlPage({
      engagement: engagement('e-1', 'a-1', 'active'),
      control,
      mappings: controlMappingsInScope(control, ['soc2']),
      outcomes: [],
      evidence: { items, total: 120, limit: EVIDENCE_PAGE, offset: 50 },
    });
    expect([page.from, page.to, page.total]).toEqual([51, 100, 120]);
    expect([page.previous, page.next]).toEqual(['?offset=0', '?offset=100']);
  });

  it('says 0 to 0 with no links for a control without evidence in the period', () => {
    const page = auditControlPage({
      engagement: engagement('e-1', 'a-1', 'active'),
      control,
      mappings: [],
      outcomes: [],
      evidence: { items: [], total: 0, limit: EVIDENCE_PAGE, offset: 0 },
    });
    expect([page.from, page.to, page.previous, page.next]).toEqual([0, 0, null, null]);
  });
});

describe('engagementsPage', () => {
  it('proposes this year as the period and next March as the expiry', () => {
    const page = engagementsPage({
      today: '2026-12-31',
      engagements: [],
      openRequests: [],
      answeredRequests: { items: [], total: 0 },
      auditors: [],
      frameworks: [{ key: 'soc2', name: 'SOC 2' }],
      canAnswer: true,
      signing: { subject: 'CN=x', fingerprintSha256: 'ab', notAfter: '2027-01-01T00:00:00Z', selfSigned: true },
    });
    expect(page.defaults).toEqual({ from: '2026-01-01', to: '2026-12-31', expires: '2027-03-31' });
    expect(page.frameworks).toEqual([{ key: 'soc2', name: 'SOC 2' }]);
    expect([page.answered, page.answeredMore]).toEqual([[], 0]);
  });
});

describe('revokePage', () => {
  it('offers the revoke form only for an active engagement', () => {
    const e = { id: 'e', state: 'active' } as unknown as EngagementView;
    expect(revokePage(e).active).toBe(true);
    expect(revokePage({ ...e, state: 'revoked' }).active).toBe(false);
  });
});
