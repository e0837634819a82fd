import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { departmentsFileSchema } from './domain/departments-file';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { actorRef, systemActor } from '../authz/actor';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Department } from './department.entity';
import { DepartmentsRepository } from './departments.repository';

export class DepartmentsFileError extends Error {}

/** Reads and validates controls/departments.yaml; errors name the file and the path inside it. */
export function readDepartmentsFile(path: string): { key: string; name: string }[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'), { maxAliasCount: 0 });
  } catch (e) {
    throw new DepartmentsFileError(`${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = departmentsFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DepartmentsFileError(`${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const keys = parsed.data.departments.map((d) => d.key);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw new DepartmentsFileError(`${path}: department key "${duplicate}" appears twice`);
  return parsed.data.departments;
}

@Injectable()
export class DepartmentsService {
  private readonly log = new Logger('Departments');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly departments: DepartmentsRepository,
    private readonly trail: AuditTrailService,
  ) {}

  list(): Promise<Department[]> {
    return this.departments.list();
  }

  findByKey(key: string): Promise<Department | null> {
    return this.departments.findByKey(key);
  }

  /** Brings the departments table in line with controls/departments.yaml (idempotent; never deletes). */
  async syncFromCatalog(): Promise<string[]> {
    const wanted = readDepartmentsFile(join(this.config.controlsDir, 'departments.yaml'));
    const changed = await this.ds.transaction(async (m) => {
      const keys = await this.departments.upsert(wanted, m);
      if (keys.length)
        await this.trail.append(
          {
            actor: actorRef(systemActor('catalog')),
            action: 'department.sync',
            subjectType: 'Department',
            subjectId: null,
            data: { changed: keys },
          },
          m,
        );
      return keys;
    });
    if (changed.length) this.log.log(`departments synced from the catalog: ${changed.join(', ')}`);
    return changed;
  }
}
