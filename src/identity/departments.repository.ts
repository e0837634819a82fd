import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Department } from './department.entity';

@Injectable()
export class DepartmentsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  list(): Promise<Department[]> {
    return this.ds.manager.find(Department, { order: { key: 'ASC' } });
  }

  findByKey(key: string, m?: EntityManager): Promise<Department | null> {
    return (m ?? this.ds.manager).findOne(Department, { where: { key } });
  }

  /** Inserts missing departments and renames changed ones; returns the keys it changed. */
  async upsert(departments: { key: string; name: string }[], m: EntityManager): Promise<string[]> {
    const changed: string[] = [];
    for (const d of departments) {
      const rows: { key: string }[] = await m.query(
        `INSERT INTO departments (key, name) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name WHERE departments.name IS DISTINCT FROM EXCLUDED.name
         RETURNING key`,
        [d.key, d.name],
      );
      if (rows.length) changed.push(d.key);
    }
    return changed;
  }
}
