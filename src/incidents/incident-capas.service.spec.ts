// Closing a CAPA with its verification evidence: the evidence item is checked as the caller may read it
// (the evidence module's own check, readableOr404 under the caller's ability), and one they may not read
// is answered exactly like one that does not exist, so evidence ids cannot be probed through CAPAs.
import { abilityFor } from '../authz/ability.factory';
import type { UserActor } from '../authz/actor';
import { readableOr404 } from '../authz/row-access';
import { ValidationError } from '../common/errors/app-error';
import type { EvidenceQueriesService } from '../evidence/evidence-queries.service';
import { IncidentCapasService } from './incident-capas.service';
import type { IncidentLedger } from './incident-ledger';
import type { IncidentsService } from './incidents.service';

const CONTROL = 'c0000000-0000-4000-8000-000000000001';
const INSIDE = 'e0000000-0000-4000-8000-000000000001';
const OUTSIDE = 'e0000000-0000-4000-8000-000000000002';
const MISSING = 'e0000000-0000-4000-8000-000000000003';

/** Someone whose ability reads evidence of one period only (an auditor's engagement in December 2026). */
const actor: UserActor = {
  kind: 'user',
  id: 'u0000000-0000-4000-8000-000000000001',
  email: 'a@example.test',
  name: 'A',
  role: 'auditor',
  departmentId: null,
  departmentKey: null,
  via: 'session',
  engagements: [
    {
      id: 'g0000000-0000-4000-8000-000000000001',
      from: '2026-12-01',
      to: '2026-12-31',
      frameworks: ['soc2'],
      expiresAt: new Date('2099-01-01T00:00:00Z'),
      controlIds: [CONTROL],
    },
  ],
};

const evidenceRows: Record<string, { id: string; evidenceDate: Date }> = {
  [INSIDE]: { id: INSIDE, evidenceDate: new Date('2026-12-05T00:00:00Z') },
  [OUTSIDE]: { id: OUTSIDE, evidenceDate: new Date('2026-06-05T00:00:00Z') },
};

/** GET /api/evidence/:id's check: the row under the caller's ability with its control ids, else 404. */
const evidence = {
  get: (a: UserActor, id: string) =>
    readableOr404(abilityFor(a), 'Evidence', evidenceRows[id], {
      entity: 'evidence',
      id,
      checkAs: (row) => ({ ...row, controlIds: [CONTROL] }),
    }),
} as unknown as EvidenceQueriesService;

const capa = { id: 'p0000000-0000-4000-8000-000000000001', incidentId: 'i1', title: 'Fix it', ownerUserId: actor.id };
let updated: unknown[];

function service(): IncidentCapasService {
  updated = [];
  const m = {
    findOneBy: () => Promise.resolve(capa),
    update: (_: unknown, __: string, values: unknown) => Promise.resolve(updated.push(values)),
  };
  const ledger = {
    transaction: (fn: (em: typeof m) => Promise<unknown>) => fn(m),
    lock: () => Promise.resolve({ id: 'i1', version: 1 }),
    note: () => Promise.resolve(),
    save: () => Promise.resolve(),
    record: () => Promise.resolve(),
  } as unknown as IncidentLedger;
  const incidents = { get: () => Promise.resolve({ id: 'i1' }) } as unknown as IncidentsService;
  return new IncidentCapasService(ledger, incidents, evidence);
}

const close = (verificationEvidenceId: string) =>
  service().update(actor, 'i1', capa.id, { status: 'done', verificationEvidenceId });

async function refusal(id: string): Promise<ValidationError> {
  const err = await close(id).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  expect(updated).toEqual([]);
  return err as ValidationError;
}

describe('IncidentCapasService.update: verification evidence', () => {
  it('closes a CAPA with evidence the caller may read', async () => {
    await close(INSIDE);
    expect(updated).toEqual([expect.objectContaining({ status: 'done', verificationEvidenceId: INSIDE })]);
  });

  it('answers evidence the caller may not read exactly like missing evidence (400 naming verificationEvidenceId)', async () => {
    const unreadable = await refusal(OUTSIDE);
    const missing = await refusal(MISSING);
    expect(unreadable.errors).toEqual([{ field: 'verificationEvidenceId', message: 'no such evidence item' }]);
    expect(unreadable.errors).toEqual(missing.errors);
    expect(unreadable.message).toBe(missing.message);
    expect(unreadable.code).toBe(missing.code);
  });
});
