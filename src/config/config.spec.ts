import { DEFAULT_ALLOWED_TYPES } from '../common/files/content-sniffer';
import { randomBytes } from 'node:crypto';
import { generateSigningKeyText } from '../common/crypto/signing-key-text';
import { ConfigError, loadConfig, redactUrl } from './config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/attest', '/opt/attest');
/** The shared secrets as files, so production starts. */
const SHARED_FILES = {
  DSR_KEY_FILE: 'k/dsr.json',
  AUDIT_SIGNING_KEY_FILE: 'k/trail.pem',
  SIGNING_P12_FILE: 'k/pack.p12',
};

describe('shared secrets', () => {
  const fail = (env: Record<string, string>): ConfigError => {
    try {
      load(env);
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    ['DSR_ENCRYPTION_KEYS', 'DSR_KEY_FILE'],
    ['AUDIT_SIGNING_KEY', 'AUDIT_SIGNING_KEY_FILE'],
    ['SIGNING_P12', 'SIGNING_P12_FILE'],
  ])('production refuses to start without %s (or %s), naming it', (variable, file) => {
    const env: Record<string, string> = { NODE_ENV: 'production', ...SHARED_FILES };
    delete env[file];
    const error = fail(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(
      new RegExp(`^Invalid configuration: ${variable} must be set when NODE_ENV=production \\(or ${file}\\)`),
    );
    expect(error.message).toContain('attest keys generate');
  });

  it('outside production nothing is required (the embedded default generates keys under DATA_DIR)', () => {
    expect(load({}).auditSigningKey).toBeUndefined();
    expect(load({ DATABASE_URL: 'postgres://u@db/attest' }).signingP12).toBeUndefined();
  });

  it('reads the material from the environment, checks it, and never echoes it', () => {
    const key = generateSigningKeyText();
    const c = load({
      NODE_ENV: 'production',
      DSR_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      AUDIT_SIGNING_KEY: key,
      SIGNING_P12: Buffer.from('p12 bytes').toString('base64'),
    });
    expect(c.auditSigningKey).toBe(key);
    expect(c.signingP12?.toString()).toBe('p12 bytes');
    const bad = fail({ AUDIT_SIGNING_KEY: 'c2VjcmV0IG5vdCBhIGtleQ==' });
    expect(bad.variable).toBe('AUDIT_SIGNING_KEY');
    expect(bad.message).toMatch(/is not a private key/);
    expect(bad.message).not.toContain('c2VjcmV0');
    expect(fail({ SIGNING_P12: 'not base64 *' }).message).not.toContain('not base64 *');
  });
});

describe('loadConfig', () => {
  it('has working defaults for every setting', () => {
    const c = load({});
    expect(c).toEqual({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: undefined,
      dataDir: '/srv/attest/data',
      dbPoolSize: 10,
      logLevel: 'info',
      bodyLimitBytes: 1048576,
      uploadLimitBytes: 104857600,
      storageReserveBytes: 67108864,
      evidenceAllowedTypes: [...DEFAULT_ALLOWED_TYPES],
      blobStore: 'postgres',
      blobDir: '/srv/attest/data/blobs',
      controlsDir: '/opt/attest/controls',
      policiesDir: '/opt/attest/policies',
      templatesDir: '/opt/attest/templates',
      shutdownTimeoutMs: 10000,
      trustProxy: false,
      sessionTtlHours: 12,
      loginRateLimit: 10,
      demo: true,
      jobsEnabled: true,
      auditSigningKey: undefined,
      auditSigningKeyFile: undefined,
      organisationName: 'Attest demo organisation',
      signingP12: undefined,
      signingP12File: undefined,
      signingP12Password: undefined,
      tsaUrl: undefined,
      auditCheckpointCron: '*/5 * * * *',
      sweepCron: '0 9 * * 1',
      timeZone: 'Asia/Bangkok',
      sweepDue: { weekday: 5, hour: 18, minute: 0 },
      sweepReminderCron: '0 * * * *',
      keyRotationCron: '0 * * * *',
      riskReviewCron: '0 9 1 1,4,7,10 *',
      incidentAlertCron: '*/5 * * * *',
      documentAckCron: '50 * * * *',
      incidentIntakeRateLimit: 60,
      auditCheckpointExportDir: undefined,
      smtpUrl: undefined,
      smtpFrom: 'Attest <attest@localhost>',
      publicUrl: undefined,
      dsrEncryptionKeys: undefined,
      dsrKeyFile: undefined,
      dsrBackupRetentionDays: 35,
      dsrErasureGraceDays: 7,
      dsrExportLinkTtlHours: 72,
      dsrExportRetentionDays: 30,
      dsrDrillCron: '0 10 1 * *',
      dsrDemoPlatform: true,
      dsrConnectorAllowedHosts: { any: true },
    });
  });

  it('reads the audit-trail and job settings; paths are relative to the working directory', () => {
    const c = load({
      JOBS_ENABLED: 'false',
      AUDIT_SIGNING_KEY_FILE: 'keys/trail.pem',
      AUDIT_CHECKPOINT_CRON: '0 * * * *',
      AUDIT_CHECKPOINT_EXPORT_DIR: '/mnt/worm',
    });
    expect(c.jobsEnabled).toBe(false);
    expect(c.auditSigningKeyFile).toBe('/srv/attest/keys/trail.pem');
    expect(c.auditCheckpointCron).toBe('0 * * * *');
    expect(c.auditCheckpointExportDir).toBe('/mnt/worm');
    expect(load({ AUDIT_CHECKPOINT_CRON: 'off' }).auditCheckpointCron).toBeNull();
  });

  it('reads and converts given values; empty strings count as unset', () => {
    const c = load({
      PORT: '8080',
      DATA_DIR: '/var/lib/attest',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'debug',
      HOST: '',
      DATABASE_URL: 'postgres://u:p@db:5432/attest',
    });
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe('/var/lib/attest');
    expect(c.trustProxy).toBe(true);
    expect(c.logLevel).toBe('debug');
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/attest');
  });

  it('reads the evidence upload types: sniffable media types only', () => {
    expect(load({ EVIDENCE_ALLOWED_TYPES: 'application/pdf, IMAGE/PNG,application/pdf' }).evidenceAllowedTypes).toEqual(
      ['application/pdf', 'image/png'],
    );
    expect(load({}).evidenceAllowedTypes).not.toContain('text/html');
    expect(() => load({ EVIDENCE_ALLOWED_TYPES: 'application/x-msdownload' })).toThrow(
      /^Invalid configuration: EVIDENCE_ALLOWED_TYPES must be a comma-separated list of media types from: application\/pdf/,
    );
  });

  it('reads the blob store: postgres or filesystem, BLOB_DIR relative to the working directory', () => {
    expect(load({ BLOB_STORE: 'filesystem', DATA_DIR: '/var/lib/attest' })).toMatchObject({
      blobStore: 'filesystem',
      blobDir: '/var/lib/attest/blobs',
    });
    expect(load({ BLOB_STORE: 'filesystem', BLOB_DIR: 'evidence-blobs' }).blobDir).toBe('/srv/attest/evidence-blobs');
    expect(() => load({ BLOB_STORE: 's3' })).toThrow(
      'Invalid configuration: BLOB_STORE must be one of postgres, filesystem (got "s3")',
    );
  });

  it('seeds demo data on the embedded default only, unless DEMO says otherwise', () => {
    expect(load({}).demo).toBe(true);
    expect(load({ DATABASE_URL: 'postgres://u@db/attest' }).demo).toBe(false);
    expect(load({ NODE_ENV: 'production', ...SHARED_FILES }).demo).toBe(false);
    expect(load({ NODE_ENV: 'production', DEMO: '1', ...SHARED_FILES }).demo).toBe(true);
    expect(load({ DEMO: '0' }).demo).toBe(false);
  });

  it('one compliance time zone: TZ_COMPLIANCE, else the older SWEEP_TZ, else Asia/Bangkok', () => {
    expect(load({}).timeZone).toBe('Asia/Bangkok');
    expect(load({ TZ_COMPLIANCE: 'Asia/Ho_Chi_Minh' }).timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(load({ TZ_COMPLIANCE: 'Asia/Ho_Chi_Minh', SWEEP_TZ: 'Europe/London' }).timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(() => load({ TZ_COMPLIANCE: 'ICT' })).toThrow(
      /^Invalid configuration: TZ_COMPLIANCE must be an IANA time zone/,
    );
  });

  it('reads the sweep schedule, zone and due time', () => {
    const c = load({ SWEEP_CRON: 'off', SWEEP_TZ: 'Europe/London', SWEEP_DUE: 'thu 17:30' });
    expect(c.sweepCron).toBeNull();
    expect(c.timeZone).toBe('Europe/London');
    expect(c.sweepDue).toEqual({ weekday: 4, hour: 17, minute: 30 });
    expect(() => load({ SWEEP_TZ: 'Mars/Olympus' })).toThrow(
      /^Invalid configuration: SWEEP_TZ must be an IANA time zone/,
    );
    expect(() => load({ SWEEP_DUE: 'friday 6pm' })).toThrow(
      /^Invalid configuration: SWEEP_DUE must be a weekday and local time/,
    );
  });

  it('reads the incident alert schedule: every 5 minutes by default, a cron expression, or off', () => {
    expect(load({ INCIDENT_ALERT_CRON: '*/2 * * * *' }).incidentAlertCron).toBe('*/2 * * * *');
    expect(load({ INCIDENT_ALERT_CRON: 'off' }).incidentAlertCron).toBeNull();
    expect(load({ KEY_ROTATION_CRON: '30 8 * * *' }).keyRotationCron).toBe('30 8 * * *');
    expect(load({ KEY_ROTATION_CRON: 'off' }).keyRotationCron).toBeNull();
    expect(() => load({ KEY_ROTATION_CRON: 'hourly' })).toThrow(/KEY_ROTATION_CRON must be a cron expression/);
    expect(load({ DOCUMENT_ACK_CRON: 'off' }).documentAckCron).toBeNull();
    expect(() => load({ DOCUMENT_ACK_CRON: 'hourly' })).toThrow(/DOCUMENT_ACK_CRON must be a cron expression/);
    expect(() => load({ INCIDENT_ALERT_CRON: 'often' })).toThrow(/INCIDENT_ALERT_CRON must be a cron expression/);
  });

  it('reads the quarterly risk review schedule: a cron expression, or off', () => {
    expect(load({ RISK_REVIEW_CRON: '0 8 2 1,4,7,10 *' }).riskReviewCron).toBe('0 8 2 1,4,7,10 *');
    expect(load({ RISK_REVIEW_CRON: 'off' }).riskReviewCron).toBeNull();
    expect(() => load({ RISK_REVIEW_CRON: 'quarterly' })).toThrow(
      /^Invalid configuration: RISK_REVIEW_CRON must be a cron expression such as "0 9 1 1,4,7,10 \*", or off \(got "quarterly"\)$/,
    );
  });

  it.each([
    ['PORT', 'abc', /^Invalid configuration: PORT must be a whole number between 0 and 65535 \(got "abc"\)$/],
    ['PORT', '70000', /^Invalid configuration: PORT must be between 0 and 65535 \(got "70000"\)$/],
    [
      'NODE_ENV',
      'staging',
      /^Invalid configuration: NODE_ENV must be one of development, test, production \(got "staging"\)$/,
    ],
    [
      'LOG_LEVEL',
      'loud',
      /^Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    ],
    ['DB_POOL_SIZE', '0', /^Invalid configuration: DB_POOL_SIZE must be between 1 and 200/],
    ['BODY_LIMIT_BYTES', '1.5', /^Invalid configuration: BODY_LIMIT_BYTES must be a whole number/],
    ['TRUST_PROXY', 'yes', /^Invalid configuration: TRUST_PROXY must be one of 0, 1, true, false/],
    ['JOBS_ENABLED', 'no', /^Invalid configuration: JOBS_ENABLED must be one of 0, 1, true, false/],
    [
      'AUDIT_CHECKPOINT_CRON',
      'every 5 minutes',
      /^Invalid configuration: AUDIT_CHECKPOINT_CRON must be a cron expression such as "\*\/5 \* \* \* \*", or off \(got "every 5 minutes"\)$/,
    ],
  ])('rejects %s=%s with one line naming the variable', (variable, value, message) => {
    let error: unknown;
    try {
      load({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('reads the notification e-mail settings', () => {
    const c = load({
      SMTP_URL: 'smtp://mailer:s3cret@mail.example.com:587',
      SMTP_FROM: 'attest@example.com',
      PUBLIC_URL: 'https://attest.example.com',
    });
    expect(c.smtpUrl).toBe('smtp://mailer:s3cret@mail.example.com:587');
    expect(c.smtpFrom).toBe('attest@example.com');
    expect(c.publicUrl).toBe('https://attest.example.com');
    expect(load({ SMTP_URL: 'smtps://mail.example.com' }).smtpUrl).toBe('smtps://mail.example.com');
    expect(() => load({ SMTP_FROM: 'Attest' })).toThrow(
      /^Invalid configuration: SMTP_FROM must be an e-mail address, optionally with a name/,
    );
    expect(() => load({ PUBLIC_URL: 'attest.example.com' })).toThrow(
      /^Invalid configuration: PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('never echoes a bad SMTP_URL, which may hold a password', () => {
    let message = '';
    try {
      load({ SMTP_URL: 'mail://mailer:s3cret@mail.example.com' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(message).not.toContain('s3cret');
  });

  it('reads the DSR settings; DSR_KEY_FILE is relative to the working directory', () => {
    const k2 = Buffer.alloc(32, 2).toString('base64');
    const k1 = Buffer.alloc(32, 1).toString('base64url');
    const c = load({
      DSR_ENCRYPTION_KEYS: `k2:${k2}, k1:${k1}`,
      DSR_KEY_FILE: 'secrets/dsr.json',
      DSR_BACKUP_RETENTION_DAYS: '89',
      DSR_ERASURE_GRACE_DAYS: '0',
      DSR_EXPORT_LINK_TTL_HOURS: '24',
      DSR_DRILL_CRON: 'off',
    });
    expect(c.dsrEncryptionKeys).toBe(`k2:${k2}, k1:${k1}`);
    expect(c.dsrKeyFile).toBe('/srv/attest/secrets/dsr.json');
    expect(c.dsrBackupRetentionDays).toBe(89);
    expect(c.dsrErasureGraceDays).toBe(0);
    expect(c.dsrExportLinkTtlHours).toBe(24);
    expect(c.dsrDrillCron).toBeNull();
    expect(load({ DSR_DRILL_CRON: '0 3 * * 1' }).dsrDrillCron).toBe('0 3 * * 1');
  });

  it.each([
    [
      'DSR_BACKUP_RETENTION_DAYS',
      '90',
      /^Invalid configuration: DSR_BACKUP_RETENTION_DAYS must be between 1 and 89 \(got "90"\)$/,
    ],
    ['DSR_BACKUP_RETENTION_DAYS', '0', /must be between 1 and 89/],
    ['DSR_ERASURE_GRACE_DAYS', '31', /^Invalid configuration: DSR_ERASURE_GRACE_DAYS must be between 0 and 30/],
    ['DSR_EXPORT_LINK_TTL_HOURS', '0', /^Invalid configuration: DSR_EXPORT_LINK_TTL_HOURS must be between 1 and 720/],
    [
      'DSR_DRILL_CRON',
      'monthly',
      /^Invalid configuration: DSR_DRILL_CRON must be a cron expression such as "0 10 1 \* \*", or off \(got "monthly"\)$/,
    ],
  ])('rejects %s=%s', (variable, value, message) => {
    expect(() => load({ [variable]: value })).toThrow(message);
  });

  it('rejects a malformed DSR_ENCRYPTION_KEYS naming the entry, never echoing key material', () => {
    const good = Buffer.alloc(32, 7).toString('base64');
    const short = Buffer.alloc(16, 9).toString('base64');
    const cases: Array<[string, RegExp]> = [
      [
        `k2:${short},k1:${good}`,
        /^Invalid configuration: DSR_ENCRYPTION_KEYS entry 1 \(k2\): the key must be 32 bytes \(got 16\)/,
      ],
      [`k2:${good},k1:%%${good}`, /^Invalid configuration: DSR_ENCRYPTION_KEYS entry 2 \(k1\): the key is not base64$/],
      [good, /^Invalid configuration: DSR_ENCRYPTION_KEYS entry 1 is not id:base64key$/],
      [`k1:${good},k1:${good}`, /^Invalid configuration: DSR_ENCRYPTION_KEYS entry 2: key id k1 is given twice$/],
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        load({ DSR_ENCRYPTION_KEYS: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(good);
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('reads the pack-signing settings; SIGNING_P12_FILE is relative to the working directory', () => {
    const d = load({});
    expect(d.organisationName).toBe('Attest demo organisation');
    expect(d.signingP12File).toBeUndefined();
    expect(d.signingP12Password).toBeUndefined();
    expect(d.tsaUrl).toBeUndefined();
    const c = load({
      ORGANISATION_NAME: 'บริษัท ตัวอย่าง จำกัด',
      SIGNING_P12_FILE: 'secrets/pack.p12',
      SIGNING_P12_PASSWORD: 'p12-s3cret',
      TSA_URL: 'http://tsa.example.com/tsr',
    });
    expect(c.organisationName).toBe('บริษัท ตัวอย่าง จำกัด');
    expect(c.signingP12File).toBe('/srv/attest/secrets/pack.p12');
    expect(c.signingP12Password).toBe('p12-s3cret');
    expect(c.tsaUrl).toBe('http://tsa.example.com/tsr');
    expect(() => load({ ORGANISATION_NAME: 'x'.repeat(65) })).toThrow(
      /^Invalid configuration: ORGANISATION_NAME must be at most 64 characters/,
    );
    let message = '';
    try {
      load({ TSA_URL: 'tsa.example.com/user:s3cret' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: TSA_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(message).not.toContain('s3cret');
  });

  it('never echoes a bad DATABASE_URL, which may hold a password', () => {
    expect(() => load({ DATABASE_URL: 'mysql://root:s3cret@db/x' })).toThrow(
      /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    );
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://attest:s3cret@db.internal:5432/attest')).toBe(
      'postgres://attest:***@db.internal:5432/attest',
    );
    expect(redactUrl('not a url')).toBe('<unparseable url>');
  });
});
