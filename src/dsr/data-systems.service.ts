import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LineCounter, parseAllDocuments, stringify } from 'yaml';
import { AuditTrailService } from '../audit-trail/audit-trail.service';
import type { JsonObject } from '../audit-trail/domain/audit-entry';
import { NotFoundError, ValidationError, type FieldProblem } from '../common/errors/app-error';
import { MAX_YAML_PROBLEMS, strictYamlProblems } from '../common/text/strict-yaml';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { actorRef, type Actor, type UserActor } from '../authz/actor';
import { UsersService } from '../identity/users.service';
import type { DataSystemConnector } from './connectors/connector';
import { openConnector } from './connectors/connector-factory';
import type { DataSystem } from './data-system.entity';
import { connectorHostProblem } from './domain/connector-hosts';
import {
  DATA_MAP_INVALID,
  parseDataSystem,
  separateSecrets,
  withSecrets,
  type DataSystemDefinition,
  type DataSystemSecrets as SystemSecrets,
  type ParseDataSystemOptions,
} from './domain/data-map';
import { DSR_KEY_RING, type DsrKeyRing } from './dsr-keys';
import { DsrRepository } from './dsr.repository';
import type { DataSystemView } from './dto/dsr.dto';

/** A definition's field named under where it came from; a problem of the definition itself (no field) names that place. */
function fieldUnder(place: string, field: string): string {
  if (!field) return place;
  return field.startsWith('[') ? `${place}${field}` : `${place}.${field}`;
}

/** parseDataSystem for a request body: a problem of the whole definition (not an object, unknown keys) names `body`. */
function parseBody(input: unknown, options?: ParseDataSystemOptions): DataSystemDefinition {
  try {
    return parseDataSystem(input, options);
  } catch (e) {
    if (!(e instanceof ValidationError) || e.errors.every((p) => p.field)) throw e;
    const errors = e.errors.map((p) => ({ ...p, field: p.field || 'body' }));
    throw new ValidationError(errors, undefined, DATA_MAP_INVALID);
  }
}

/** A registered, active system ready to execute against: manual systems have no connector. */
export interface ExecutableSystem {
  system: DataSystem;
  definition: DataSystemDefinition;
  connector: DataSystemConnector | null;
}

const SECRET_SHOWN = '(stored encrypted)';

/**
 * The data map: which systems hold personal data and how a subject is found, exported and erased in each.
 * Definitions are validated (identifiers checked against the live system) before they are stored; secrets
 * (connection URLs, tokens) are encrypted with the DSR key ring and never shown or exported again.
 */
@Injectable()
export class DataSystemsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DSR_KEY_RING) private readonly keys: DsrKeyRing,
    private readonly repo: DsrRepository,
    private readonly users: UsersService,
    private readonly trail: AuditTrailService,
  ) {}

  async list(): Promise<DataSystemView[]> {
    return (await this.repo.listSystems()).map(systemView);
  }

  async get(key: string): Promise<DataSystemView> {
    return systemView(await this.found(key));
  }

  /**
   * Registers or replaces one system. `secrets` may also come inside the definition (postgres.url,
   * http.token); on replace, omitted secrets keep their stored values. With `check`, the live system is
   * asked whether every table, column and endpoint of the map exists.
   */
  async register(
    actor: Actor,
    input: unknown,
    options: { secrets?: SystemSecrets; check?: boolean } = {},
  ): Promise<DataSystemView> {
    const existing =
      typeof input === 'object' && input !== null && typeof (input as { key?: unknown }).key === 'string'
        ? await this.repo.findSystemByKey((input as { key: string }).key)
        : null;
    const stored = existing?.secretsEnc
      ? this.keys.decryptJson<SystemSecrets>(existing.secretsEnc, `data-system:${existing.key}`)
      : {};
    const { definition: bare, secrets: given } = separateSecrets(
      parseBody(withoutShownSecrets(input), { secretsSupplied: true }),
    );
    const secrets: SystemSecrets = { ...stored, ...given, ...options.secrets };
    // Parsed again with the secrets in place: a postgres system needs its URL, an http one its token.
    const definition = parseBody(withSecrets(bare, secrets));
    const refused = connectorHostProblem(definition, this.config.dsrConnectorAllowedHosts);
    if (refused) throw new ValidationError([refused], undefined, DATA_MAP_INVALID);
    const ownerUserId = await this.ownerUserId(definition);
    if (options.check !== false) await this.check(definition, secrets);
    const saved = await this.ds.transaction(async (m) => {
      const row = await this.repo.saveSystem(
        {
          ...(existing ? { id: existing.id, version: existing.version + 1, createdAt: existing.createdAt } : {}),
          key: definition.key,
          name: definition.name,
          kind: definition.kind,
          ownerDepartment: definition.owner?.department ?? null,
          ownerUserId,
          definition: separateSecrets(definition).definition,
          secretsEnc: Object.keys(secrets).length
            ? this.keys.encryptJson(secrets, `data-system:${definition.key}`)
            : null,
          active: true,
        },
        m,
      );
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: existing ? 'dsr.system_updated' : 'dsr.system_registered',
          subjectType: 'DataSystem',
          subjectId: row.id,
          data: { key: row.key, kind: row.kind, version: row.version },
        },
        m,
      );
      return row;
    });
    return systemView(saved);
  }

  /** Every system as one YAML document each (secrets left out: supply them again on import). */
  async exportYaml(): Promise<string> {
    const rows = await this.repo.listSystems();
    return rows.map((r) => stringify(r.definition, { lineWidth: 0 })).join('---\n');
  }

  /** Registers every document of a YAML stream; nothing is stored when one document is invalid. */
  async importYaml(actor: UserActor, text: string): Promise<DataSystemView[]> {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
    const problems: FieldProblem[] = [];
    const inputs: unknown[] = [];
    for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      // The rules of a single definition (parseDataSystemYaml): syntax, then no anchors, aliases (so an
      // alias bomb never expands: this runs before toJS), custom tags or collection keys.
      const found = strictYamlProblems(doc);
      if (found.length) {
        const aliases = found.filter((p) => p.message.startsWith('YAML aliases'));
        const lineOf = (p: { offset: number | undefined }) => lines.linePos(p.offset ?? 0).line;
        problems.push({
          field: `documents[${i}]`,
          message:
            aliases.length > 1
              ? `YAML aliases (${aliases.length}${found.length > MAX_YAML_PROBLEMS ? ' or more' : ''}, the first on line ${lineOf(aliases[0])}) are not allowed`
              : `line ${lineOf(found[0])}: ${found[0].message}`,
        });
        continue;
      }
      const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
      if (value === null || value === undefined) continue;
      try {
        const { definition: bare, secrets } = separateSecrets(
          parseDataSystem(withoutShownSecrets(value), { secretsSupplied: true }),
        );
        const full = parseDataSystem(withSecrets(bare, { ...(await this.storedSecretsFor(bare.key)), ...secrets }));
        const refused = connectorHostProblem(full, this.config.dsrConnectorAllowedHosts);
        if (refused) throw new ValidationError([refused]);
        inputs.push(value);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        problems.push(...e.errors.map((p) => ({ field: fieldUnder(`documents[${i}]`, p.field), message: p.message })));
      }
    }
    if (problems.length) throw new ValidationError(problems);
    if (inputs.length === 0)
      throw new ValidationError([{ field: 'body', message: 'holds no data system definitions' }]);
    const out: DataSystemView[] = [];
    for (const input of inputs) out.push(await this.register(actor, input));
    return out;
  }

  async setActive(actor: UserActor, key: string, active: boolean): Promise<DataSystemView> {
    const row = await this.found(key);
    await this.ds.transaction(async (m) => {
      await m.update('data_systems', { id: row.id }, { active, version: row.version + 1 });
      await this.trail.append(
        {
          actor: actorRef(actor),
          action: active ? 'dsr.system_activated' : 'dsr.system_deactivated',
          subjectType: 'DataSystem',
          subjectId: row.id,
          data: { key },
        },
        m,
      );
    });
    return this.get(key);
  }

  /** The active systems with connectors opened (close them with closeAll). */
  async executable(): Promise<ExecutableSystem[]> {
    const rows = await this.repo.listSystems({ activeOnly: true });
    return rows.map((system) => {
      const secrets = system.secretsEnc
        ? this.keys.decryptJson<SystemSecrets>(system.secretsEnc, `data-system:${system.key}`)
        : {};
      const definition = withSecrets(parseDataSystem(system.definition, { secretsSupplied: true }), secrets);
      return { system, definition, connector: openConnector(definition, this.config.dsrConnectorAllowedHosts) };
    });
  }

  async closeAll(systems: ExecutableSystem[]): Promise<void> {
    await Promise.allSettled(systems.map(async (s) => s.connector?.close()));
  }

  private async check(definition: DataSystemDefinition, secrets: SystemSecrets): Promise<void> {
    const connector = openConnector(withSecrets(definition, secrets), this.config.dsrConnectorAllowedHosts);
    if (!connector) return;
    try {
      await connector.check();
    } finally {
      await connector.close();
    }
  }

  private async storedSecretsFor(key: string): Promise<SystemSecrets> {
    const row = await this.repo.findSystemByKey(key);
    return row?.secretsEnc ? this.keys.decryptJson<SystemSecrets>(row.secretsEnc, `data-system:${row.key}`) : {};
  }

  private async ownerUserId(definition: DataSystemDefinition): Promise<string | null> {
    const email = definition.owner?.user;
    if (!email) return null;
    const user = await this.users.findByEmail(email);
    if (!user || !user.active) throw new ValidationError([{ field: 'owner.user', message: `no active user ${email}` }]);
    return user.id;
  }

  private async found(key: string): Promise<DataSystem> {
    const row = await this.repo.findSystemByKey(key);
    if (!row) throw new NotFoundError('data_system', key);
    return row;
  }
}

export function systemView(row: DataSystem): DataSystemView {
  const definition = JSON.parse(JSON.stringify(row.definition)) as JsonObject;
  for (const section of ['postgres', 'http'] as const) {
    const s = definition[section] as JsonObject | undefined;
    if (s && row.secretsEnc) s[section === 'postgres' ? 'url' : 'token'] = SECRET_SHOWN;
  }
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    kind: row.kind as DataSystemView['kind'],
    ownerDepartment: row.ownerDepartment,
    ownerUserId: row.ownerUserId,
    active: row.active,
    version: row.version,
    definition,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A definition copied from GET carries the "(stored encrypted)" marker for its secrets: drop it, so the stored ones are kept. */
function withoutShownSecrets(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const copy = { ...(input as Record<string, unknown>) };
  for (const [section, field] of [
    ['postgres', 'url'],
    ['http', 'token'],
  ] as const) {
    const s = copy[section];
    if (typeof s === 'object' && s !== null && (s as Record<string, unknown>)[field] === SECRET_SHOWN) {
      const { [field]: _shown, ...rest } = s as Record<string, unknown>;
      copy[section] = rest;
    }
  }
  return copy;
}
