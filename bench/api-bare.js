#!/usr/bin/env node
// The floor of bench/api.sh: a bare NestJS + Fastify app on the same database as the Attest server,
// answering the same routes with the same rows straight from `pg` (one query, rows to JSON): no
// authentication, authorization, TypeORM, validation, interceptors, helmet or throttler. PORT and
// DATABASE_URL from the environment; the compliance manager's user id (ME_ID) stands in for the caller.
'use strict';
require('reflect-metadata');
const { Controller, Get, Post, Module, Param, Query, Body, HttpCode } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const ME = process.env.ME_ID;
const page = (rows, limit, offset) => ({
  items: rows.map(({ total: _t, ...r }) => r),
  total: rows.length ? Number(rows[0].total) : 0,
  limit,
  offset,
});
const limitOf = (q) => Math.min(Number(q.limit ?? 50), 200);

class BareController {
  async controls(q) {
    const limit = limitOf(q);
    const { rows } = await pool.query(
      `WITH p AS (SELECT * FROM controls WHERE retired_at IS NULL ORDER BY key LIMIT $1)
       SELECT c.key, c.title, c.description, c.owner_department AS "ownerDepartment", c.owner_user_id AS "ownerUserId",
              u.name AS "ownerName", c.cadence, c.max_interval_days AS "maxIntervalDays",
              c.evidence_guidance AS "evidenceGuidance", c.collector, c.version,
              COALESCE((SELECT json_agg(json_build_object('framework', f.key, 'ref', r.ref, 'title', r.title) ORDER BY f.key, r.ref)
                          FROM control_requirements cr JOIN requirements r ON r.id = cr.requirement_id
                          JOIN frameworks f ON f.id = r.framework_id WHERE cr.control_id = c.id), '[]') AS requirements,
              (SELECT count(*) FROM controls WHERE retired_at IS NULL) AS total
         FROM p c LEFT JOIN users u ON u.id = c.owner_user_id ORDER BY c.key`,
      [limit],
    );
    return page(rows, limit, 0);
  }

  async evidence(q) {
    const limit = limitOf(q);
    const { rows } = await pool.query(
      `WITH p AS (SELECT * FROM evidence ORDER BY evidence_date DESC, id LIMIT $1)
       SELECT e.id, e.kind, e.title, e.description, e.source, e.submitted_by AS "submittedBy", e.collected_at AS "collectedAt",
              e.evidence_date AS "evidenceDate", e.period_start AS "periodStart", e.period_end AS "periodEnd",
              e.supersedes, e.url, e.statement,
              COALESCE((SELECT json_agg(c.key ORDER BY c.key) FROM evidence_controls ec JOIN controls c ON c.id = ec.control_id
                         WHERE ec.evidence_id = e.id), '[]') AS controls,
              COALESCE((SELECT json_agg(json_build_object('n', f.n, 'filename', f.filename, 'sha256', f.sha256, 'size', f.size,
                                                          'mediaType', f.media_type) ORDER BY f.n)
                          FROM evidence_files f WHERE f.evidence_id = e.id), '[]') AS files,
              (SELECT count(*) FROM evidence) AS total
         FROM p e ORDER BY e.evidence_date DESC, e.id`,
      [limit],
    );
    return page(rows, limit, 0);
  }

  async risks(q) {
    const limit = limitOf(q);
    const { rows } = await pool.query(
      `SELECT r.id, r.register, r.ref, r.product, r.title, r.hazard, r.harm, r.severity, r.probability, r.level,
              r.residual_severity AS "residualSeverity", r.residual_probability AS "residualProbability",
              r.residual_level AS "residualLevel", r.status, r.treatment, r.due_on AS "dueOn",
              r.owner_user_id AS "ownerUserId", u.name AS "ownerName", r.version,
              r.created_at AS "createdAt", r.updated_at AS "updatedAt", (SELECT count(*) FROM risks) AS total
         FROM risks r JOIN users u ON u.id = r.owner_user_id
        ORDER BY r.register, r.ref LIMIT $1`,
      [limit],
    );
    return page(rows, limit, 0);
  }

  async currentSweep() {
    const { rows } = await pool.query(
      `SELECT s.id, s.week, s.status, s.opened_at AS "openedAt", s.due_at AS "dueAt", s.closed_at AS "closedAt",
              json_build_object('total', count(t.id), 'open', count(t.id) FILTER (WHERE t.status = 'open'),
                                'done', count(t.id) FILTER (WHERE t.status <> 'open')) AS progress
         FROM sweeps s LEFT JOIN sweep_tasks t ON t.sweep_id = s.id
        GROUP BY s.id ORDER BY s.week DESC LIMIT 1`,
    );
    return rows[0];
  }

  async me() {
    const { rows } = await pool.query(
      `SELECT u.id, u.email, u.name, u.role, u.department_id AS "departmentId", d.key AS "departmentKey", u.active,
              u.created_at AS "createdAt", u.updated_at AS "updatedAt", u.last_login_at AS "lastLoginAt"
         FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = $1`,
      [ME],
    );
    return rows[0];
  }

  // The write's floor: the task's update and one appended row, in one transaction.
  async complete(id, body) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `UPDATE sweep_tasks SET status = 'exception', note = $2, completed_at = now(), completed_by = $3
          WHERE id = $1 AND status = 'open'
          RETURNING id, control_key AS "controlKey", status, note, completed_at AS "completedAt"`,
        [id, body.reason, ME],
      );
      await client.query(`INSERT INTO bench_bare_log (subject_id, data) VALUES ($1, $2)`, [id, JSON.stringify(body)]);
      await client.query('COMMIT');
      return rows[0] ?? { id, status: 'gone' };
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    } finally {
      client.release();
    }
  }
}

// Decorators applied by hand (plain JavaScript).
const proto = BareController.prototype;
const route = (decorator, name, params = []) => {
  params.forEach((p, i) => p(proto, name, i));
  decorator(proto, name, Object.getOwnPropertyDescriptor(proto, name));
};
route(Get('controls'), 'controls', [Query()]);
route(Get('evidence'), 'evidence', [Query()]);
route(Get('risks'), 'risks', [Query()]);
route(Get('sweeps/current'), 'currentSweep');
route(Get('me'), 'me');
HttpCode(200)(proto, 'complete', Object.getOwnPropertyDescriptor(proto, 'complete'));
route(Post('sweep-tasks/:id/complete'), 'complete', [Param('id'), Body()]);
Controller('api')(BareController);
class BareModule {}
Module({ controllers: [BareController] })(BareModule);

(async () => {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_bare_log (id bigserial PRIMARY KEY, subject_id uuid, data jsonb)');
  const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: ['error'] });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => void app.close().then(() => pool.end()));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
