import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { abilityFor } from '../authz/ability.factory';
import { readableOr404 } from '../authz/row-access';
import { type Page, pageOf, type PageQueryDto } from '../common/http/pagination';
import { actorRef, type Actor, type UserActor } from '../authz/actor';
import type { SeedManifest } from './connectors/connector';
import type { SubjectKeys } from './domain/dsr-model';
import { DataSystemsService, type ExecutableSystem } from './data-systems.service';
import { syntheticSubject } from './domain/synthetic-subject';
import { blank, foreignInExport, missingFromExport } from './drill-checks';
import { DrillRecorder, type DrillState } from './drill-recorder.service';
import type { DrillReport } from './domain/drill-report';
import { DsrRepository } from './dsr.repository';
import { DsrErasureService } from './dsr-erasure.service';
import { DsrExportService } from './dsr-export.service';
import { DsrRequestsService } from './dsr-requests.service';
import { drillView } from './dsr-views';
import type { DrillView } from './dto/dsr.dto';

/**
 * Monthly proof that DSRs work end to end: a synthetic subject is seeded into every system whose map has
 * drill seed rows, exported (every seeded row must be in the package), erased without grace period (no
 * residue may remain outside retained tables), and the seeded rows are then cleaned. The report (JSON +
 * PDF) becomes evidence of the controls naming the `dsr-drill` collector.
 */
@Injectable()
export class DrillsService {
  constructor(
    private readonly requests: DsrRequestsService,
    private readonly exports: DsrExportService,
    private readonly erasure: DsrErasureService,
    private readonly systems: DataSystemsService,
    private readonly repo: DsrRepository,
    private readonly recorder: DrillRecorder,
  ) {}

  /** Every drill (system use: audit packs select by their own period). */
  async list(query: PageQueryDto): Promise<Page<DrillView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listDrills(page);
    return { items: rows.map(drillView), total, ...page };
  }

  /** The drills the actor may read (an auditor: run within an engagement's period), filtered in SQL. */
  async listFor(actor: UserActor, query: PageQueryDto): Promise<Page<DrillView>> {
    const page = pageOf(query);
    const { rows, total } = await this.repo.listDrills(page, abilityFor(actor));
    return { items: rows.map(drillView), total, ...page };
  }

  /** A drill the actor may read, else 404. */
  async get(actor: UserActor, id: string): Promise<DrillView> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.repo.findDrill(id) : null;
    return drillView(await readableOr404(abilityFor(actor), 'DsrDrill', row, { entity: 'dsr_drill', id }));
  }

  async run(actor: Actor, trigger: 'schedule' | 'cli' | 'api' | 'page'): Promise<DrillReport> {
    const started = new Date();
    const t0 = performance.now();
    const by = actorRef(actor);
    const drill = await this.repo.insertDrill({
      trigger,
      startedAt: started,
      startedByUserId: actor.kind === 'user' ? actor.id : null,
    });
    const subject = syntheticSubject(randomBytes(4).toString('hex'));
    const keys: SubjectKeys = { email: subject.email, phone: subject.phone, nationalId: subject.nationalId };
    const request = await this.requests.insertRequest(actor, {
      right: 'erasure',
      ground: 'no_longer_necessary',
      channel: 'drill',
      receivedAt: started,
      details: { subject, requester: null, changes: null },
      isDrill: true,
    });
    await this.requests.markVerified(request, by, 'synthetic');
    await this.repo.updateDrill(drill.id, { requestId: request.id });

    const all = await this.systems.executable();
    const state: DrillState = {
      by,
      request,
      failures: [],
      results: [],
      systems: all.filter((s) => s.connector !== null),
      seeds: new Map<string, SeedManifest>(),
      exportSha256: null,
      exportRan: false,
    };
    try {
      for (const s of all.filter((x) => x.connector === null))
        state.results.push(blank(s.system.key, s.system.kind, 'skipped: manual system'));
      const drilled = await this.seedSystems(state, keys);
      if (drilled.length) {
        await this.exportStep(state, drilled);
        await this.eraseStep(state, drilled);
      }
    } catch (e) {
      state.failures.push(`drill aborted: ${(e as Error).message}`);
    } finally {
      await this.cleanUp(state, all);
    }
    return this.recorder.finish(state, drill.id, started, t0);
  }

  /** Seeds the synthetic subject into every system whose map has drill seed rows; returns those drilled. */
  private async seedSystems(state: DrillState, keys: SubjectKeys): Promise<ExecutableSystem[]> {
    const { failures, results, seeds } = state;
    const drilled: ExecutableSystem[] = [];
    for (const s of state.systems) {
      try {
        const seed = await s.connector!.seed(keys);
        if (!seed || seed.rows.length === 0) {
          results.push(blank(s.system.key, s.system.kind, 'skipped: the map declares no drill seed rows'));
          continue;
        }
        seeds.set(s.system.key, seed);
        drilled.push(s);
        results.push({ ...blank(s.system.key, s.system.kind, 'drilled'), seeded: seed.rows.length });
      } catch (e) {
        failures.push(`${s.system.key}: seeding failed: ${(e as Error).message}`);
        results.push(blank(s.system.key, s.system.kind, 'failed'));
      }
    }
    if (drilled.length === 0 && failures.length === 0)
      failures.push('no data system declares drill seed rows: nothing was drilled');
    return drilled;
  }

  /** Exports the subject: every seeded row must be in the package, and nothing else. */
  private async exportStep(state: DrillState, drilled: ExecutableSystem[]): Promise<void> {
    const { failures, results, seeds, request } = state;
    const e0 = performance.now();
    const exportRun = await this.exports.runExport(request, state.by, drilled);
    const exportMs = Math.round(performance.now() - e0);
    failures.push(...exportRun.failures);
    state.exportRan = exportRun.complete;
    for (const exp of exportRun.exports) {
      const r = results.find((x) => x.system === exp.system)!;
      r.exportMs = exportMs;
      r.exported = exp.tables.reduce((n, t) => n + t.rows.length, 0);
      r.missing = missingFromExport(seeds.get(exp.system)!, exp);
      for (const m of r.missing) failures.push(`${exp.system}: seeded row ${m} is missing from the export`);
      // The synthetic subject owns only its seeded rows: anything else in the package is another person's.
      r.foreign = foreignInExport(seeds.get(exp.system)!, exp);
      for (const f of r.foreign)
        failures.push(`${exp.system}: the export holds ${f.rows} row(s) of ${f.table} that are not the subject's`);
    }
    state.exportSha256 = (await this.repo.findRequest(request.id))?.exportSha256 ?? null;
  }

  /** Erases the subject without grace period: no residue may remain outside retained tables. */
  private async eraseStep(state: DrillState, drilled: ExecutableSystem[]): Promise<void> {
    const { failures, results, seeds, request } = state;
    const x0 = performance.now();
    const erasure = await this.erasure.runErasure((await this.repo.findRequest(request.id))!, state.by, {
      systems: drilled,
      seeds,
    });
    const eraseMs = Math.round(performance.now() - x0);
    failures.push(...erasure.failures);
    for (const res of erasure.residue) {
      const r = results.find((x) => x.system === res.system)!;
      r.eraseMs = eraseMs;
      for (const t of res.tables) {
        if (t.retained) {
          if (t.rows > 0) r.retained.push({ table: t.table, rows: t.rows, basis: t.basis ?? null });
        } else if (t.rows > 0) {
          r.residue += t.rows;
          failures.push(`${res.system}: ${t.rows} row(s) of the subject remain in ${t.table} after erasure`);
        }
      }
    }
  }

  /** Synthetic rows never stay behind: retained and anonymised rows are removed too. */
  private async cleanUp(state: DrillState, all: ExecutableSystem[]): Promise<void> {
    for (const s of state.systems) {
      const seed = state.seeds.get(s.system.key);
      if (!seed) continue;
      try {
        await s.connector!.removeSeed(seed);
      } catch (e) {
        state.failures.push(`${s.system.key}: cleaning the synthetic rows failed: ${(e as Error).message}`);
      }
    }
    await this.systems.closeAll(all);
    const fresh = await this.repo.findRequest(state.request.id);
    if (fresh) await this.exports.dropPackage(fresh);
    await this.requests.markDrillDone(state.request.id);
  }

  /** The newest finished drill, for the weekly collector. */
  async latest(): Promise<DrillView | null> {
    const row = await this.repo.latestDrill();
    return row ? drillView(row) : null;
  }
}
