// Turns a validated definition (with its secrets in place) into a connector.
import { ValidationError, type FieldProblem } from '../../common/errors/app-error';
import type { ConnectorHosts } from '../../common/net/host-allow-list';
import { connectorHostProblem } from '../domain/connector-hosts';
import { DATA_MAP_INVALID, type DataSystemDefinition } from '../domain/data-map';
import type {
  DataSystemConnector,
  SeedManifest,
  SystemExport,
  TableErasure,
  TableResidue,
  TableUpdate,
} from './connector';
import type { SubjectKeys } from '../domain/dsr-model';
import { HttpConnector } from './http.connector';
import { PostgresConnector } from './postgres.connector';

/**
 * A connector for a postgres or http system; null for manual systems (they become tasks). A system whose
 * host is not in DSR_CONNECTOR_ALLOWED_HOSTS gets a connector that never connects: its check names the
 * field, and every operation fails with the same words (recorded on the request, like any failure).
 */
export function openConnector(definition: DataSystemDefinition, hosts: ConnectorHosts): DataSystemConnector | null {
  if (definition.kind === 'manual') return null;
  const refused = connectorHostProblem(definition, hosts);
  if (refused) return new RefusedConnector(definition.kind, definition.key, refused);
  switch (definition.kind) {
    case 'postgres':
      return new PostgresConnector(definition);
    case 'http':
      return new HttpConnector(definition);
    default:
      return null;
  }
}

class RefusedConnector implements DataSystemConnector {
  constructor(
    readonly kind: 'postgres' | 'http',
    private readonly system: string,
    private readonly problem: FieldProblem,
  ) {}

  async check(): Promise<void> {
    throw new ValidationError([this.problem], undefined, DATA_MAP_INVALID);
  }

  export(): Promise<SystemExport> {
    return this.refuse();
  }

  erase(): Promise<TableErasure[]> {
    return this.refuse();
  }

  residue(): Promise<TableResidue[]> {
    return this.refuse();
  }

  update(_keys: SubjectKeys): Promise<TableUpdate[] | null> {
    return this.refuse();
  }

  seed(): Promise<SeedManifest | null> {
    return this.refuse();
  }

  removeSeed(): Promise<number> {
    return this.refuse();
  }

  async close(): Promise<void> {}

  private async refuse(): Promise<never> {
    throw new Error(`${this.system}: not contacted: ${this.problem.field} ${this.problem.message}`);
  }
}
