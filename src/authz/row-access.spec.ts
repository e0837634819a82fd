import { NotFoundError } from '../common/errors/app-error';
import { abilityFor } from './ability.factory';
import type { UserActor } from './actor';
import { readableOr404 } from './row-access';

const owner: UserActor = {
  kind: 'user',
  id: 'u-1',
  email: 'u1@x.test',
  name: 'u1',
  role: 'control_owner',
  departmentId: 'd-eng',
  departmentKey: 'engineering',
  via: 'session',
};
const ability = abilityFor(owner);

async function problem(run: Promise<unknown>): Promise<NotFoundError> {
  const error: unknown = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotFoundError);
  return error as NotFoundError;
}

describe('readableOr404', () => {
  it('returns the row itself when the ability reads it', async () => {
    const row = { id: 't-1', ownerUserId: 'u-1' };
    await expect(readableOr404(ability, 'SweepTask', row, { entity: 'sweep_task', id: 't-1' })).resolves.toBe(row);
  });

  it('answers the same 404 for a missing row and for a row the ability may not read', async () => {
    const missing = await problem(readableOr404(ability, 'SweepTask', null, { entity: 'sweep_task', id: 't-2' }));
    const hidden = await problem(
      readableOr404(
        ability,
        'SweepTask',
        { ownerUserId: 'u-9', ownerDepartment: 'clinical' },
        {
          entity: 'sweep_task',
          id: 't-2',
        },
      ),
    );
    expect([missing.code, missing.message]).toEqual(['sweep_task.not_found', 'No sweep_task with id t-2.']);
    expect([hidden.code, hidden.message]).toEqual([missing.code, missing.message]);
  });

  it('checks the action asked for', async () => {
    const row = { register: 'iso14971', ownerUserId: 'u-9' };
    const risky = abilityFor({ ...owner, role: 'privacy_officer' });
    await expect(readableOr404(risky, 'RiskVersion', row, { entity: 'risk', id: 'r' })).resolves.toBe(row);
    await problem(readableOr404(risky, 'Risk', row, { entity: 'risk', id: 'r', action: 'update' }));
  });

  it('checks the row as checkAs describes it, and still returns the row', async () => {
    const auditor = abilityFor({
      ...owner,
      role: 'auditor',
      engagements: [
        {
          id: 'e',
          frameworks: ['soc2'],
          from: '2026-01-01',
          to: '2026-03-31',
          expiresAt: new Date(),
          controlIds: ['c-1'],
        },
      ],
    });
    const row = { id: 'ev', evidenceDate: new Date('2026-02-01T00:00:00Z') };
    const check = (controlIds: string[]) => ({
      entity: 'evidence',
      id: 'ev',
      checkAs: async (r: typeof row) => ({ ...r, controlIds }),
    });
    await expect(readableOr404(auditor, 'Evidence', row, check(['c-1']))).resolves.toBe(row);
    await problem(readableOr404(auditor, 'Evidence', row, check(['c-2'])));
  });
});
