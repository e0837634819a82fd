// The documents list filter in SQL and the in-memory ability agree (STYLE: "test that the SQL filter and
// the in-memory ability agree on generated data"): generated documents (owner department, audience with
// roles and departments, published or not, first published inside or outside an auditor's period) and
// every kind of reader, including an auditor with an engagement and one without.
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { abilityFor } from '../../src/authz/ability.factory';
import { ROLES, type Role, type UserActor } from '../../src/authz/actor';
import { asSubject } from '../../src/authz/subject';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { Document } from '../../src/documents/document.entity';
import { DocumentsRepository } from '../../src/documents/documents.repository';
import { createTestDatabase, TestDatabase } from '../support/database';

let db: TestDatabase;
let ds: DataSource;
const DEPARTMENTS = ['engineering', 'clinical', 'privacy'];

beforeAll(async () => {
  db = await createTestDatabase();
  ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
});
afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const docArb = fc.record({
  owner: fc.constantFrom(...DEPARTMENTS),
  everyone: fc.boolean(),
  roles: fc.subarray([...ROLES]),
  departments: fc.subarray(DEPARTMENTS),
  published: fc.constantFrom(null, '2025-06-01T00:00:00Z', '2026-03-01T00:00:00Z', '2027-02-01T00:00:00Z'),
});
const readerArb = fc.record({
  role: fc.constantFrom(...ROLES),
  department: fc.option(fc.constantFrom(...DEPARTMENTS), { nil: null }),
  engaged: fc.boolean(),
});

it('SQL list == in-memory ability, for generated documents and readers', async () => {
  const repo = new DocumentsRepository(ds);
  await fc.assert(
    fc.asyncProperty(
      fc.array(docArb, { minLength: 1, maxLength: 10 }),
      fc.array(readerArb, { minLength: 1, maxLength: 6 }),
      async (docs, readers) => {
        await ds.query('DELETE FROM documents'); // (TRUNCATE ... CASCADE would reach the append-only signatures)
        for (const [i, d] of docs.entries())
          await ds.query(
            `INSERT INTO documents (key, title, type, owner_department, owner_user_id, audience_everyone, audience_roles,
             audience_departments, published_version, first_published_at)
           VALUES ($1, 't', 'policy', $2, gen_random_uuid(), $3, $4, $5, $6, $7)`,
            [`POL-G${i}`, d.owner, d.everyone, d.roles, d.departments, d.published ? 1 : null, d.published],
          );
        const all = await ds.manager.find(Document);
        for (const r of readers) {
          const actor: UserActor = {
            kind: 'user',
            id: '00000000-0000-4000-8000-000000000001',
            email: 'x',
            name: 'x',
            role: r.role as Role,
            departmentId: null,
            departmentKey: r.department,
            via: 'session',
            engagements: r.engaged
              ? [
                  {
                    id: 'e',
                    frameworks: ['soc2'],
                    from: '2026-01-01',
                    to: '2026-12-31',
                    expiresAt: new Date('2099-01-01'),
                    controlIds: [],
                  },
                ]
              : [],
          };
          const ability = abilityFor(actor);
          const sql = (await repo.listVisible(ability, {}, { limit: 1000, offset: 0 })).rows.map((d) => d.key).sort();
          const memory = all
            .filter((d) => ability.can('read', asSubject('Document', d)))
            .map((d) => d.key)
            .sort();
          expect({ reader: r, keys: sql }).toEqual({ reader: r, keys: memory });
        }
      },
    ),
    { numRuns: 30 },
  );
});

it('the database itself refuses to change a submitted version’s content or any signature', async () => {
  const [doc] = await ds.query(
    `INSERT INTO documents (key, title, type, owner_department, owner_user_id) VALUES ('POL-TRIG', 't', 'policy', 'engineering', gen_random_uuid()) RETURNING id`,
  );
  const [v] = await ds.query(
    `INSERT INTO document_versions (document_id, number, content, sha256, change_summary, material, created_by)
     VALUES ($1, 1, 'a', repeat('0', 64), 's', true, gen_random_uuid()) RETURNING id`,
    [doc.id],
  );
  // A draft's content may change; the status may move on.
  await ds.query(`UPDATE document_versions SET content = 'b', status = 'in_review' WHERE id = $1`, [v.id]);
  await expect(ds.query(`UPDATE document_versions SET content = 'c' WHERE id = $1`, [v.id])).rejects.toThrow(
    /is in_review: its content cannot change/,
  );
  await ds.query(`UPDATE document_versions SET status = 'approved' WHERE id = $1`, [v.id]);
  const [s] = await ds.query(
    `INSERT INTO document_signatures (version_id, document_key, version_number, round, signer_user_id, signer_role,
       meaning, version_sha256, signed_at, record_sha256)
     VALUES ($1, 'POL-TRIG', 1, 1, gen_random_uuid(), 'compliance_manager', 'approved', repeat('0', 64), now(), repeat('1', 64)) RETURNING id`,
    [v.id],
  );
  await expect(ds.query(`UPDATE document_signatures SET meaning = 'reviewed' WHERE id = $1`, [s.id])).rejects.toThrow(
    /append-only: UPDATE is not allowed/,
  );
  await expect(ds.query(`DELETE FROM document_signatures WHERE id = $1`, [s.id])).rejects.toThrow(
    /append-only: DELETE is not allowed/,
  );
  expect((await ds.query(`SELECT content, status FROM document_versions WHERE id = $1`, [v.id]))[0]).toEqual({
    content: 'b',
    status: 'approved',
  });
});

it('an acknowledgement is one per version and person, and final once acknowledged', async () => {
  const [doc] = await ds.query(
    `INSERT INTO documents (key, title, type, owner_department, owner_user_id) VALUES ('POL-ACK-TRIG', 't', 'policy', 'engineering', gen_random_uuid()) RETURNING id`,
  );
  const [v] = await ds.query(
    `INSERT INTO document_versions (document_id, number, content, sha256, change_summary, material, created_by, status)
     VALUES ($1, 1, 'a', repeat('a', 64), 's', true, gen_random_uuid(), 'published') RETURNING id`,
    [doc.id],
  );
  const insert = (userId: string) =>
    ds.query(
      `INSERT INTO document_acknowledgements (document_id, version_id, version_number, version_sha256, user_id, due_at)
       VALUES ($1, $2, 1, repeat('a', 64), $3, now() + interval '14 days') RETURNING id`,
      [doc.id, v.id, userId],
    );
  const [{ gen_random_uuid: person }] = await ds.query(`SELECT gen_random_uuid()`);
  const [a] = await insert(person);
  await expect(insert(person)).rejects.toThrow(/UQ_document_acknowledgements_version_user/);
  // A pending task may be moved (a due date) or acknowledged, never given to someone else or another hash.
  await expect(
    ds.query(`UPDATE document_acknowledgements SET user_id = gen_random_uuid() WHERE id = $1`, [a.id]),
  ).rejects.toThrow(/cannot change what it records/);
  await expect(
    ds.query(`UPDATE document_acknowledgements SET version_sha256 = repeat('b', 64) WHERE id = $1`, [a.id]),
  ).rejects.toThrow(/cannot change what it records/);
  await ds.query(
    `UPDATE document_acknowledgements SET status = 'acknowledged', acknowledged_at = now() WHERE id = $1`,
    [a.id],
  );
  await expect(
    ds.query(`UPDATE document_acknowledgements SET acknowledged_at = now() - interval '1 day' WHERE id = $1`, [a.id]),
  ).rejects.toThrow(/cannot change what it records/);
  await expect(ds.query(`DELETE FROM document_acknowledgements WHERE id = $1`, [a.id])).rejects.toThrow(
    /is final: it cannot be deleted/,
  );
  expect((await ds.query(`SELECT status FROM document_acknowledgements WHERE id = $1`, [a.id]))[0]).toEqual({
    status: 'acknowledged',
  });
});
