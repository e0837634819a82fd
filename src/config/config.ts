// Typed settings from the environment, validated once at start-up.
// Every variable is documented in README.md ("Configuration"); keep the two in step.
import { resolve } from 'node:path';
import { z } from 'zod';
import { APP_ROOT } from './app-root';
import { DEFAULT_ALLOWED_TYPES } from '../common/files/content-sniffer';
import { ConnectorHosts, parseConnectorHosts } from '../common/net/host-allow-list';
import { DEFAULT_COMPLIANCE_TZ } from '../common/time/zone';
import { Env, envSchema } from './env-schema';

/** The settings the application uses, with paths made absolute. */
export interface AppConfig {
  nodeEnv: Env['NODE_ENV'];
  host: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  logLevel: Env['LOG_LEVEL'];
  bodyLimitBytes: number;
  uploadLimitBytes: number;
  /** Free space kept for everything else: an upload that would leave less is refused (507) before staging. */
  storageReserveBytes: number;
  /** Media types (sniffed from the bytes) an evidence upload may have; executables never. */
  evidenceAllowedTypes: string[];
  /** Where new evidence blobs' bytes go: PostgreSQL (blob_chunks) or files under blobDir. */
  blobStore: Env['BLOB_STORE'];
  /** The filesystem blob store's folder (BLOB_DIR, default DATA_DIR/blobs). */
  blobDir: string;
  controlsDir: string;
  /** The seed policies (POLICIES_DIR, default ./policies): imported as drafts when demo data is seeded. */
  policiesDir: string;
  templatesDir: string;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  sessionTtlHours: number;
  loginRateLimit: number;
  /** Incidents one API token (or person) may report a minute (retries of one alert count too). */
  incidentIntakeRateLimit: number;
  /** Seed demo data and users: DEMO when set, else on the embedded default outside production. */
  demo: boolean;
  /** Run scheduled jobs (off in tests and in the CLI). */
  jobsEnabled: boolean;
  /** AUDIT_SIGNING_KEY: the Ed25519 key that signs audit-trail checkpoints, as text (PEM or base64 PKCS#8 DER). A secret: never log it. */
  auditSigningKey: string | undefined;
  /** Ed25519 private key (PEM) that signs audit-trail checkpoints; unset (and no AUDIT_SIGNING_KEY): DATA_DIR/keys/audit-trail-ed25519.pem, created at first use outside production. */
  auditSigningKeyFile: string | undefined;
  /** The organisation's name: on audit packs, and the subject of the self-signed pack-signing certificate. */
  organisationName: string;
  /** SIGNING_P12: the PKCS#12 that signs audit packs, its bytes (from base64). A secret. */
  signingP12: Buffer | undefined;
  /** PKCS#12 (RSA key + certificate) that signs audit packs; unset (and no SIGNING_P12): DATA_DIR/keys/pack-signing.p12, self-signed, created at first use outside production. */
  signingP12File: string | undefined;
  /** Password of SIGNING_P12_FILE. A secret: never log it. */
  signingP12Password: string | undefined;
  /** RFC 3161 time-stamp authority for pack signatures (PAdES B-T); unset: no timestamp. */
  tsaUrl: string | undefined;
  /** When to write a signed checkpoint of the audit trail; null when switched off. */
  auditCheckpointCron: string | null;
  /**
   * The compliance time zone (TZ_COMPLIANCE, default Asia/Bangkok): calendar days of periods, DSR clocks,
   * sweeps, jobs and the times pages and packs show are counted in it.
   */
  timeZone: string;
  /** When the weekly sweep opens (null: only by hand), in timeZone. */
  sweepCron: string | null;
  /** Tasks are due on this ISO weekday (1 = Monday) at this local time. */
  sweepDue: { weekday: number; hour: number; minute: number };
  sweepReminderCron: string | null;
  /** How often the key register's clocks are checked for reminders and escalations (each sent once); null when off. */
  keyRotationCron: string | null;
  /** When the quarterly risk review is raised (Asia/Bangkok; default the first day of each quarter, 09:00); null when switched off. */
  riskReviewCron: string | null;
  /** How often incident clocks are checked for reminders and escalations (each sent once); null when switched off. */
  incidentAlertCron: string | null;
  /** How often document acknowledgements are topped up (people who joined an audience), reminded and escalated; null when off. */
  documentAckCron: string | null;
  /** Where each checkpoint is also copied (e.g. a WORM-mounted or synced folder). */
  auditCheckpointExportDir: string | undefined;
  /** SMTP server notifications are e-mailed through; unset: notifications are in-app only. */
  smtpUrl: string | undefined;
  /** The From of notification e-mails. */
  smtpFrom: string;
  /** Where people reach Attest (links in e-mails are made absolute with it); unset: links are paths. */
  publicUrl: string | undefined;
  /** DSR encryption keys "id:base64key,…" (first = current), validated; unset: the key file. A secret: never log it. */
  dsrEncryptionKeys: string | undefined;
  /** The DSR key file the operator named (it must exist); unset: DATA_DIR/keys/dsr-encryption.json, created at first use. */
  dsrKeyFile: string | undefined;
  /** How long backups keep a subject's data after erasure (stated on the erasure receipt); under the 90-day limit. */
  dsrBackupRetentionDays: number;
  /** Days between an erasure request's execution order and the erasure (cancellable meanwhile). */
  dsrErasureGraceDays: number;
  /** How long an export package's download link works. */
  /** Export packages (personal data) are deleted this many days after they were made, and at erasure. */
  dsrExportRetentionDays: number;
  dsrExportLinkTtlHours: number;
  /** When the export/erasure drill runs; null when switched off. */
  dsrDrillCron: string | null;
  /** Create, seed and register the demo patient platform (DSR_DEMO_PLATFORM; default: with demo data). */
  dsrDemoPlatform: boolean;
  /** Hosts data-system connectors may reach (DSR_CONNECTOR_ALLOWED_HOSTS); unset: any outside production, none in production. */
  dsrConnectorAllowedHosts: ConnectorHosts;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment; throws a ConfigError naming the first bad variable. DATA_DIR and BLOB_DIR are
 * relative to the working directory; CONTROLS_DIR, POLICIES_DIR and TEMPLATES_DIR to the project folder (they ship with the code).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), appRoot = APP_ROOT): AppConfig {
  const e = parseEnv(env);
  requireSharedSecrets(e);
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(cwd, e.DATA_DIR),
    dbPoolSize: e.DB_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    uploadLimitBytes: e.UPLOAD_LIMIT_BYTES,
    storageReserveBytes: e.STORAGE_RESERVE_BYTES,
    evidenceAllowedTypes: e.EVIDENCE_ALLOWED_TYPES ?? [...DEFAULT_ALLOWED_TYPES],
    blobStore: e.BLOB_STORE,
    blobDir: e.BLOB_DIR === undefined ? resolve(cwd, e.DATA_DIR, 'blobs') : resolve(cwd, e.BLOB_DIR),
    controlsDir: resolve(appRoot, e.CONTROLS_DIR),
    policiesDir: resolve(appRoot, e.POLICIES_DIR),
    templatesDir: resolve(appRoot, e.TEMPLATES_DIR),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    incidentIntakeRateLimit: e.INCIDENT_INTAKE_RATE_LIMIT,
    demo: e.DEMO ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    jobsEnabled: e.JOBS_ENABLED,
    auditSigningKey: e.AUDIT_SIGNING_KEY,
    auditSigningKeyFile: e.AUDIT_SIGNING_KEY_FILE === undefined ? undefined : resolve(cwd, e.AUDIT_SIGNING_KEY_FILE),
    organisationName: e.ORGANISATION_NAME,
    signingP12: e.SIGNING_P12 === undefined ? undefined : Buffer.from(e.SIGNING_P12.replace(/\s+/g, ''), 'base64'),
    signingP12File: e.SIGNING_P12_FILE === undefined ? undefined : resolve(cwd, e.SIGNING_P12_FILE),
    signingP12Password: e.SIGNING_P12_PASSWORD,
    tsaUrl: e.TSA_URL,
    auditCheckpointCron: e.AUDIT_CHECKPOINT_CRON === 'off' ? null : e.AUDIT_CHECKPOINT_CRON,
    sweepCron: e.SWEEP_CRON === 'off' ? null : e.SWEEP_CRON,
    timeZone: e.TZ_COMPLIANCE ?? e.SWEEP_TZ ?? DEFAULT_COMPLIANCE_TZ,
    sweepDue: {
      weekday: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(e.SWEEP_DUE.slice(0, 3)) + 1,
      hour: Number(e.SWEEP_DUE.slice(4, 6)),
      minute: Number(e.SWEEP_DUE.slice(7, 9)),
    },
    sweepReminderCron: e.SWEEP_REMINDER_CRON === 'off' ? null : e.SWEEP_REMINDER_CRON,
    keyRotationCron: e.KEY_ROTATION_CRON === 'off' ? null : e.KEY_ROTATION_CRON,
    riskReviewCron: e.RISK_REVIEW_CRON === 'off' ? null : e.RISK_REVIEW_CRON,
    incidentAlertCron: e.INCIDENT_ALERT_CRON === 'off' ? null : e.INCIDENT_ALERT_CRON,
    documentAckCron: e.DOCUMENT_ACK_CRON === 'off' ? null : e.DOCUMENT_ACK_CRON,
    auditCheckpointExportDir:
      e.AUDIT_CHECKPOINT_EXPORT_DIR === undefined ? undefined : resolve(cwd, e.AUDIT_CHECKPOINT_EXPORT_DIR),
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    publicUrl: e.PUBLIC_URL,
    ...dsrSettings(e, cwd),
  };
}

/** The environment's variables (blank ones left out), validated; a ConfigError names the first bad one. */
function parseEnv(env: NodeJS.ProcessEnv): Env {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    // Never echo a connection URL (it may carry a password) or an encryption key.
    const secret = [
      'DATABASE_URL',
      'SMTP_URL',
      'DSR_ENCRYPTION_KEYS',
      'AUDIT_SIGNING_KEY',
      'SIGNING_P12',
      'SIGNING_P12_PASSWORD',
      'TSA_URL',
    ];
    const shown = secret.includes(variable) ? undefined : input[variable];
    throw new ConfigError(variable, describeIssue(issue, shown));
  }
  return parsed.data;
}

/** The DSR settings (every `dsr…` field of AppConfig). */
function dsrSettings(e: Env, cwd: string): Pick<AppConfig, Extract<keyof AppConfig, `dsr${string}`>> {
  return {
    dsrEncryptionKeys: e.DSR_ENCRYPTION_KEYS,
    dsrKeyFile: e.DSR_KEY_FILE === undefined ? undefined : resolve(cwd, e.DSR_KEY_FILE),
    dsrBackupRetentionDays: e.DSR_BACKUP_RETENTION_DAYS,
    dsrErasureGraceDays: e.DSR_ERASURE_GRACE_DAYS,
    dsrExportLinkTtlHours: e.DSR_EXPORT_LINK_TTL_HOURS,
    dsrExportRetentionDays: e.DSR_EXPORT_RETENTION_DAYS,
    dsrDrillCron: e.DSR_DRILL_CRON === 'off' ? null : e.DSR_DRILL_CRON,
    dsrDemoPlatform: e.DSR_DEMO_PLATFORM ?? e.DEMO ?? (!e.DATABASE_URL && e.NODE_ENV !== 'production'),
    dsrConnectorAllowedHosts:
      e.DSR_CONNECTOR_ALLOWED_HOSTS !== undefined
        ? parseConnectorHosts(e.DSR_CONNECTOR_ALLOWED_HOSTS)
        : e.NODE_ENV === 'production'
          ? { any: false, patterns: [] }
          : { any: true },
  };
}

/**
 * The key material every instance must share: the DSR key ring, the audit-trail signing key and the
 * pack-signing certificate. Outside production a missing one is generated under DATA_DIR at first use
 * (the embedded default, one instance); in production that would give each instance its own keys, so
 * start-up stops naming the variable to set. Each may be given as the material or as a file (the
 * material wins when both are set).
 */
export const SHARED_SECRETS = [
  { variable: 'DSR_ENCRYPTION_KEYS', file: 'DSR_KEY_FILE', what: 'the DSR encryption key ring' },
  { variable: 'AUDIT_SIGNING_KEY', file: 'AUDIT_SIGNING_KEY_FILE', what: 'the audit-trail checkpoint signing key' },
  { variable: 'SIGNING_P12', file: 'SIGNING_P12_FILE', what: 'the audit-pack signing key and certificate' },
] as const;

function requireSharedSecrets(e: Env): void {
  for (const { variable, file, what } of SHARED_SECRETS) {
    if (e.NODE_ENV === 'production' && e[variable] === undefined && e[file] === undefined) {
      throw new ConfigError(
        variable,
        `must be set when NODE_ENV=production (or ${file}): ${what}, the same on every instance; make one with: attest keys generate`,
      );
    }
  }
}

function describeIssue(issue: z.core.$ZodIssue, got: string | undefined): string {
  const shown = got === undefined ? '' : ` (got "${got.length > 60 ? got.slice(0, 57) + '...' : got}")`;
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `must be one of ${issue.values.map(String).join(', ')}${shown}`;
  }
  return `${issue.message}${shown}`;
}

/** Redacts the password of a connection URL for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
