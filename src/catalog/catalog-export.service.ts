import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import { APP_VERSION } from '../config/app-root';
import { UsersService } from '../identity/users.service';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';
import { catalogCsv, ExportInput, oscalCatalog, oscalComponentDefinition } from './domain/catalog-export';

export const EXPORT_FORMATS = ['oscal-catalog', 'oscal-component', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** A framework's catalog as it leaves Attest: OSCAL or CSV files, and the framework as an audit pack states it. */
@Injectable()
export class CatalogExportService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly repo: CatalogRepository,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  /** A framework's catalog and implementing controls as OSCAL (catalog or component definition) or CSV. */
  async export(
    actor: string,
    key: string,
    format: ExportFormat,
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const f = await this.catalog.framework(key);
    await this.trail.record({
      actor,
      action: 'catalog.export',
      subjectType: 'Framework',
      subjectId: f.id,
      data: { key, format },
    });
    const [requirements, controls] = await Promise.all([
      this.repo.allRequirementsOf(f.id),
      this.repo.controlsOfFramework(f.id),
    ]);
    const input: ExportInput = {
      framework: { key: f.key, name: f.name, edition: f.edition, version: f.version, description: f.description },
      requirements: requirements.map((r) => ({
        ref: r.ref,
        group: r.groupName,
        title: r.title,
        notApplicable: r.notApplicable,
      })),
      controls: controls.map(({ control: c, refs }) => ({
        key: c.key,
        title: c.title,
        description: c.description,
        ownerDepartment: c.ownerDepartment,
        cadence: c.cadence,
        maxIntervalDays: c.maxIntervalDays,
        refs,
      })),
      generatedAt: new Date(),
      generator: `Attest ${APP_VERSION}`,
    };
    const catalogFile = `${f.key}-oscal-catalog.json`;
    switch (format) {
      case 'oscal-catalog':
        return {
          filename: catalogFile,
          contentType: 'application/json',
          body: JSON.stringify(oscalCatalog(input), null, 2),
        };
      case 'oscal-component':
        return {
          filename: `${f.key}-oscal-component-definition.json`,
          contentType: 'application/json',
          body: JSON.stringify(oscalComponentDefinition(input, catalogFile), null, 2),
        };
      case 'csv':
        return { filename: `${f.key}-catalog.csv`, contentType: 'text/csv; charset=utf-8', body: catalogCsv(input) };
    }
  }

  /**
   * A framework as an audit pack states it: every live requirement in file order (with its not-applicable
   * reason and the keys of the live controls implementing it) and every live control mapped to it, in
   * catalog order, with its owner's name. Read-only, not audited (the pack build is).
   */
  async frameworkCatalog(key: string): Promise<{
    framework: { key: string; name: string; edition: string };
    requirements: { ref: string; group: string; title: string; notApplicable: string | null; controls: string[] }[];
    controls: {
      id: string;
      key: string;
      title: string;
      ownerDepartment: string;
      ownerUserId: string | null;
      ownerName: string | null;
      cadence: string;
      requirements: string[];
    }[];
  }> {
    const f = await this.catalog.framework(key);
    const [requirements, controls] = await Promise.all([
      this.repo.allRequirementsOf(f.id),
      this.repo.controlsOfFramework(f.id),
    ]);
    const names = await this.users.namesByIds(
      controls.flatMap(({ control: c }) => (c.ownerUserId ? [c.ownerUserId] : [])),
    );
    const byRef = new Map<string, string[]>();
    for (const { control, refs } of controls)
      for (const ref of refs) byRef.set(ref, [...(byRef.get(ref) ?? []), control.key]);
    return {
      framework: { key: f.key, name: f.name, edition: f.edition },
      requirements: requirements.map((r) => ({
        ref: r.ref,
        group: r.groupName,
        title: r.title,
        notApplicable: r.notApplicable,
        controls: byRef.get(r.ref) ?? [],
      })),
      controls: controls.map(({ control: c, refs }) => ({
        id: c.id,
        key: c.key,
        title: c.title,
        ownerDepartment: c.ownerDepartment,
        ownerUserId: c.ownerUserId,
        ownerName: c.ownerUserId ? (names.get(c.ownerUserId) ?? null) : null,
        cadence: c.cadence,
        requirements: refs,
      })),
    };
  }
}
