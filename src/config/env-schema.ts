// The environment's variables and their rules (zod), validated once at start-up by loadConfig (config.ts).
// Every variable is documented in README.md ("Configuration"); keep the two in step.
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';
import { SNIFFABLE_TYPES } from '../common/files/content-sniffer';
import { KeyRingError, parseKeyList } from '../common/crypto/key-ring';
import { parseConnectorHosts } from '../common/net/host-allow-list';
import { parseSigningKeyText, SigningKeyTextError } from '../common/crypto/signing-key-text';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const boolFlag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`));

const smtpUrl = z
  .string()
  .refine(
    (v) => /^smtps?:\/\/[^\s]+$/.test(v) && URL.canParse(v) && new URL(v).hostname !== '',
    'must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587',
  );

/** An address for the From header: `Name <address@domain>` or a bare address. */
const mailbox = z
  .string()
  .regex(
    /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
    'must be an e-mail address, optionally with a name: Attest <attest@example.com>',
  );

const publicUrl = z
  .string()
  .refine(
    (v) => /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v),
    'must be an http:// or https:// URL such as https://attest.example.com',
  );

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'must be a postgres:// or postgresql:// URL');

/** Variables read from the environment. Empty strings count as unset. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intIn(0, 65535).default(3000),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_SIZE: intIn(1, 200).default(10),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  BODY_LIMIT_BYTES: intIn(1024, 100 * 1024 * 1024).default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: intIn(1024, 10 * 1024 * 1024 * 1024).default(100 * 1024 * 1024),
  STORAGE_RESERVE_BYTES: intIn(0, 2 ** 50).default(64 * 1024 * 1024),
  EVIDENCE_ALLOWED_TYPES: z
    .string()
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((t) => t.trim().toLowerCase())
          .filter((t) => t !== ''),
      ),
    ])
    .refine(
      (types) => types.length > 0 && types.every((t) => (SNIFFABLE_TYPES as readonly string[]).includes(t)),
      `must be a comma-separated list of media types from: ${SNIFFABLE_TYPES.join(', ')}`,
    )
    .optional(),
  BLOB_STORE: z.enum(['postgres', 'filesystem']).default('postgres'),
  BLOB_DIR: z.string().min(1).optional(),
  CONTROLS_DIR: z.string().min(1).default('./controls'),
  /** Controlled documents as files (front matter + Markdown), imported into the demo data. */
  POLICIES_DIR: z.string().min(1).default('./policies'),
  TEMPLATES_DIR: z.string().min(1).default('./templates'),
  SHUTDOWN_TIMEOUT_MS: intIn(0, 600_000).default(10_000),
  TRUST_PROXY: boolFlag.default(false),
  SESSION_TTL_HOURS: intIn(1, 24 * 90).default(12),
  LOGIN_RATE_LIMIT: intIn(1, 10_000).default(10),
  INCIDENT_INTAKE_RATE_LIMIT: intIn(1, 100_000).default(60),
  DEMO: boolFlag.optional(),
  JOBS_ENABLED: boolFlag.default(true),
  AUDIT_SIGNING_KEY: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseSigningKeyText(v);
      } catch (e) {
        if (!(e instanceof SigningKeyTextError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message });
      }
    })
    .optional(),
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  ORGANISATION_NAME: z
    .string()
    .min(1)
    .max(64, "must be at most 64 characters (it is the signing certificate's common name)")
    .default('Attest demo organisation'),
  SIGNING_P12: z
    .string()
    .refine(
      (v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v.replace(/\s+/g, '')),
      'must be the base64 of a PKCS#12 file (base64 -w0 signing.p12; or attest keys generate)',
    )
    .optional(),
  SIGNING_P12_FILE: z.string().min(1).optional(),
  SIGNING_P12_PASSWORD: z.string().optional(),
  TSA_URL: publicUrl.optional(),
  AUDIT_CHECKPOINT_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "*/5 * * * *", or off')
    .default('*/5 * * * *'),
  AUDIT_CHECKPOINT_EXPORT_DIR: z.string().min(1).optional(),
  SWEEP_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "0 9 * * 1", or off')
    .default('0 9 * * 1'),
  TZ_COMPLIANCE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Bangkok').optional(),
  /** The older name of TZ_COMPLIANCE (it was the sweeps' zone only), still read when TZ_COMPLIANCE is unset. */
  SWEEP_TZ: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Bangkok').optional(),
  SWEEP_DUE: z
    .string()
    .regex(
      /^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d$/,
      'must be a weekday and local time such as "fri 18:00"',
    )
    .default('fri 18:00'),
  SWEEP_REMINDER_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "0 * * * *", or off')
    .default('0 * * * *'),
  KEY_ROTATION_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "0 * * * *", or off')
    .default('0 * * * *'),
  INCIDENT_ALERT_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "*/5 * * * *", or off')
    .default('*/5 * * * *'),
  DOCUMENT_ACK_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "50 * * * *", or off')
    .default('50 * * * *'),
  RISK_REVIEW_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "0 9 1 1,4,7,10 *", or off')
    .default('0 9 1 1,4,7,10 *'),
  SMTP_URL: smtpUrl.optional(),
  SMTP_FROM: mailbox.default('Attest <attest@localhost>'),
  PUBLIC_URL: publicUrl.optional(),
  DSR_ENCRYPTION_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseKeyList(v);
      } catch (e) {
        if (!(e instanceof KeyRingError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message });
      }
    })
    .optional(),
  DSR_KEY_FILE: z.string().min(1).optional(),
  DSR_BACKUP_RETENTION_DAYS: intIn(1, 89).default(35),
  DSR_ERASURE_GRACE_DAYS: intIn(0, 30).default(7),
  DSR_EXPORT_LINK_TTL_HOURS: intIn(1, 720).default(72),
  DSR_EXPORT_RETENTION_DAYS: intIn(1, 90).default(30),
  DSR_DEMO_PLATFORM: boolFlag.optional(),
  DSR_CONNECTOR_ALLOWED_HOSTS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseConnectorHosts(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    })
    .optional(),
  DSR_DRILL_CRON: z
    .string()
    .refine((v) => v === 'off' || isCronExpression(v), 'must be a cron expression such as "0 10 1 * *", or off')
    .default('0 10 1 * *'),
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof envSchema>;
