// Developer tool: `npm run migration:generate -- <VerbObject>` writes migrations/<timestamp>-<VerbObject>.ts
// from the difference between the entities and the migrated database (DATABASE_URL, else the embedded
// one under DATA_DIR); `npm run migration:check` fails when entities and migrations have drifted.
// Read the generated file, trim it, keep a working down(), then add it to MIGRATIONS in schema.ts.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { APP_ROOT } from '../config/app-root';
import { loadConfig } from '../config/config';
import { openDatabaseConnection } from '../postgres/database-connection';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migrations-runner';

type Query = { query: string; parameters?: unknown[] };

function render(className: string, up: Query[], down: Query[]): string {
  const literal = (sql: string) => '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  const lines = (qs: Query[]) =>
    qs
      .map(
        (q) =>
          `    await q.query(${literal(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`,
      )
      .join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(q: QueryRunner): Promise<void> {
${lines([...down].reverse())}
  }
}
`;
}

async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  if (command !== 'generate' && command !== 'check') {
    process.stderr.write('usage: migration-tool generate <VerbObject> | check\n');
    return 2;
  }
  if (command === 'generate' && !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) {
    process.stderr.write(
      'the migration name must be PascalCase, verb first (e.g. CreateUsers, AddDueAtToSweepTasks)\n',
    );
    return 2;
  }
  const connection = await openDatabaseConnection(loadConfig());
  const ds = await new DataSource(dataSourceOptions(connection.url, 2)).initialize();
  try {
    await runMigrationsLocked(ds);
    const { upQueries, downQueries } = await ds.driver.createSchemaBuilder().log();
    if (command === 'check') {
      if (upQueries.length === 0) {
        process.stdout.write('entities and migrations agree\n');
        return 0;
      }
      process.stderr.write(
        `entities and migrations differ; a migration would run:\n${upQueries.map((q) => `  ${q.query}`).join('\n')}\n`,
      );
      return 1;
    }
    if (upQueries.length === 0) {
      process.stdout.write('no schema change to write\n');
      return 0;
    }
    const timestamp = Date.now();
    const file = join(APP_ROOT, 'migrations', `${timestamp}-${name}.ts`);
    writeFileSync(file, render(`${name}${timestamp}`, upQueries, downQueries));
    process.stdout.write(
      `wrote ${file}\nread and trim it, then add ${name}${timestamp} to MIGRATIONS in src/database/schema.ts\n`,
    );
    return 0;
  } finally {
    await ds.destroy();
    await connection.release();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`migration tool failed: ${e.message}\n`);
    process.exitCode = 1;
  },
);
