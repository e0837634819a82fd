// Turns a validated definition (with its secrets in place) into a connector.
import type { DataSystemDefinition } from '../domain/data-map';
import type { DataSystemConnector } from './connector';
import { HttpConnector } from './http.connector';
import { PostgresConnector } from './postgres.connector';

/** A connector for a postgres or http system; null for manual systems (they become tasks). */
export function openConnector(definition: DataSystemDefinition): DataSystemConnector | null {
  switch (definition.kind) {
    case 'postgres':
      return new PostgresConnector(definition);
    case 'http':
      return new HttpConnector(definition);
    default:
      return null;
  }
}
