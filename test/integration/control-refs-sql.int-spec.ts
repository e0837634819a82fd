// CatalogRepository.controlRefs reads control references in plain SQL (issue 15: the evidence list resolves
// its controls' keys through it on every request). By key and by id it returns exactly the controls asked
// for — retired ones included, unknown keys and ids left out — each with its own key, owner department,
// owner user and retired flag, as the Control entities read them.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CatalogRepository } from '../../src/catalog/catalog.repository';
import { Control } from '../../src/catalog/control.entity';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
let repo: CatalogRepository;
let ownerId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
  repo = new CatalogRepository(ds);
  [{ id: ownerId }] = await ds.query(
    `INSERT INTO users (email, name, role) VALUES ('owner@refs.test', 'Owner', 'control_owner') RETURNING id`,
  );
  for (const [i, [dept, owner, retired]] of (
    [
      ['engineering', true, false],
      ['clinical', false, false],
      ['privacy', false, true],
      ['security', true, true],
    ] as const
  ).entries())
    await ds.query(
      `INSERT INTO controls (key, title, description, owner_department, owner_user_id, cadence, evidence_guidance,
                             position, content_hash, source_file, retired_at)
       VALUES ($1, $1, 'd', $2, $3, 'weekly', '[]', $4, 'h', 'refs.yaml', $5)`,
      [`REF-0${i}`, dept, owner ? ownerId : null, i, retired ? new Date() : null],
    );
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);

test('by key and by id: the controls asked for, as their entities read them', async () => {
  const entities = (await ds.manager.find(Control)).filter((c) => c.key.startsWith('REF-')).sort(byKey);
  expect(entities).toHaveLength(4);
  const expected = entities.map((c) => ({
    id: c.id,
    key: c.key,
    ownerDepartment: c.ownerDepartment,
    ownerUserId: c.ownerUserId,
    retired: c.retiredAt !== null,
  }));
  expect(expected.map((r) => [r.ownerUserId, r.retired])).toEqual([
    [ownerId, false],
    [null, false],
    [null, true],
    [ownerId, true],
  ]);

  expect((await repo.controlRefs('key', ['REF-03', 'REF-01', 'NOPE', 'REF-00'])).sort(byKey)).toEqual([
    expected[0],
    expected[1],
    expected[3],
  ]);
  expect((await repo.controlRefs('id', [entities[2].id, randomUUID(), entities[3].id])).sort(byKey)).toEqual([
    expected[2],
    expected[3],
  ]);
  expect(await repo.controlRefs('key', [])).toEqual([]);
  expect(await repo.controlRefs('id', [])).toEqual([]);
  expect(await repo.controlRefs('key', ['NOPE'])).toEqual([]);
});
