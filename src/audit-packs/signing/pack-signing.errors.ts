import { RuleViolationError } from '../../common/errors/app-error';

/** The pack-signing certificate (configured P12 or the self-signed one) cannot be read or created. */
export class PackCertificateError extends RuleViolationError {
  constructor(detail: string) {
    super('audit_pack.signing_certificate_unavailable', `The pack-signing certificate is not usable: ${detail}`);
  }
}

/** TSA_URL is set and no valid RFC 3161 timestamp could be had: the pack is not signed without one. */
export class TimestampError extends RuleViolationError {
  constructor(detail: string) {
    super('audit_pack.timestamp_failed', `No trusted timestamp: ${detail}`);
  }
}
