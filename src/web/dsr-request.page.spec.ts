import type { DsrRequestView } from '../dsr/dto/dsr.dto';
import { dsrRequestPage, type DsrRequestPageInput } from './dsr-request.page';

const request = (over: Partial<DsrRequestView>): DsrRequestView =>
  ({
    id: 'r1',
    reference: 'DSR-2026-00001',
    right: 'erasure',
    ground: null,
    channel: 'email',
    isRepresentative: false,
    receivedAt: '2026-12-01T03:00:00.000Z',
    status: 'verified',
    clocks: { internal: null, statutory: null, identityWaitMs: 0 },
    verificationMethod: null,
    erasureScheduledFor: null,
    erasedAt: null,
    exportAvailable: false,
    receipt: null,
    legalHolds: [],
    actions: [],
    ...over,
  }) as unknown as DsrRequestView;

const now = new Date('2026-12-06T03:00:00.000Z');
const page = (over: Partial<DsrRequestView>, input: Partial<DsrRequestPageInput> = {}) =>
  dsrRequestPage({
    request: request(over),
    link: null,
    shownResult: false,
    canUpdate: true,
    graceDays: 7,
    backupRetentionDays: 35,
    formKey: 'k',
    now,
    ...input,
  });

describe('dsrRequestPage: which actions the page offers', () => {
  it('offers verification only before verification, and no execution before it', () => {
    const received = page({ status: 'received' }).can;
    expect([received.verify, received.export, received.erase, received.complete]).toEqual([true, false, false, false]);
    expect(received.methods.map((m) => m.key)).not.toContain('synthetic');
  });

  it('offers export, erasure and completion on a verified erasure request', () => {
    const can = page({}).can;
    expect([can.verify, can.export, can.erase, can.complete, can.execute]).toEqual([false, true, true, true, false]);
  });

  it('offers nothing to someone who may not update requests', () => {
    const can = page({}, { canUpdate: false }).can;
    expect(Object.entries(can).filter(([k, v]) => k !== 'methods' && v)).toEqual([]);
  });

  it('offers nothing but a new link on a closed request', () => {
    const can = page({ status: 'completed', exportAvailable: true, subject: { id: 'p' } as any }).can;
    expect([can.export, can.erase, can.hold, can.reject, can.complete, can.newLink]).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it('while an erasure waits for its grace period: cancel, and resume only once the time has come', () => {
    const waiting = page({ erasureScheduledFor: '2026-12-06T03:00:00.001Z' });
    expect([waiting.erasurePending, waiting.can.erase, waiting.can.cancelErasure, waiting.can.resumeErasure]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(page({ erasureScheduledFor: '2026-12-06T03:00:00.000Z' }).can.resumeErasure).toBe(true);
  });

  it.each<DsrRequestView['right']>(['rectification', 'restriction', 'objection', 'withdraw_consent'])(
    'offers to execute %s',
    (right) => {
      expect(page({ right }).can.execute).toBe(true);
    },
  );

  it('does not offer execution for access or erasure (they have their own buttons)', () => {
    expect([page({ right: 'access' }).can.execute, page({}).can.execute]).toEqual([false, false]);
  });
});

describe('dsrRequestPage: what it shows', () => {
  it('counts the active holds and marks each', () => {
    const p = page({
      legalHolds: [{ id: 'h1', releasedAt: null } as any, { id: 'h2', releasedAt: '2026-12-01' } as any],
    });
    expect([p.activeHolds, p.holds.map((h) => h.active)]).toEqual([1, [true, false]]);
  });

  it('says a result page’s link is gone when there is none, never on a plain visit', () => {
    expect(page({}, { shownResult: true }).linkGone).toBe(true);
    expect(page({}).linkGone).toBe(false);
  });

  it('shows identity only when the view carries it', () => {
    expect(page({}).identity).toBeNull();
    const p = page({ subject: { id: 'P-1' } as any, changes: { phone: '0812345678' } as any });
    expect(p.identity?.changes).toEqual([{ column: 'phone', value: '0812345678' }]);
  });
});
