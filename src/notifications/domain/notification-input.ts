// What a module may enqueue as a notification: checked before it is stored, so a bad call fails loudly
// in the caller's code rather than producing a mail with an injected header or a 50 kB subject.

export interface NotificationInput {
  recipientUserId: string;
  /** What happened, `area.event`, e.g. `sweep.reminder`. */
  kind: string;
  /** Unique per notification ever sent, e.g. `sweep-task:<id>:reminder-2d`: a second enqueue is a no-op. */
  dedupeKey: string;
  /** One line. */
  subject: string;
  /** Plain text; never secrets (it is stored and e-mailed as is). */
  body: string;
  /** A path in the app, e.g. `/sweeps/2026-W48`. */
  link?: string;
}

export const SUBJECT_MAX = 200;
export const BODY_MAX = 10_000;
export const DEDUPE_KEY_MAX = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KIND = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;
// Printable, no spaces: ids, colons, dashes, dots.
const DEDUPE_KEY = /^[\x21-\x7e]+$/;
// An absolute path in the app: not `//host` (another site) and no scheme.
const APP_PATH = /^\/(?![/\\])[^\s]*$/;

export class InvalidNotificationError extends Error {
  constructor(message: string) {
    super(`invalid notification: ${message}`);
    this.name = 'InvalidNotificationError';
  }
}

/** Throws InvalidNotificationError naming the first bad field. */
export function assertValidNotification(n: NotificationInput): void {
  if (!UUID.test(n.recipientUserId ?? '')) throw new InvalidNotificationError('recipientUserId must be a user id');
  if (!KIND.test(n.kind ?? '') || n.kind.length > 100)
    throw new InvalidNotificationError(`kind must look like area.event (got "${String(n.kind).slice(0, 100)}")`);
  if (!DEDUPE_KEY.test(n.dedupeKey ?? '') || n.dedupeKey.length > DEDUPE_KEY_MAX) {
    throw new InvalidNotificationError(`dedupeKey must be 1-${DEDUPE_KEY_MAX} printable characters without spaces`);
  }
  if (
    typeof n.subject !== 'string' ||
    n.subject.trim() === '' ||
    n.subject.length > SUBJECT_MAX ||
    /[\r\n]/.test(n.subject)
  ) {
    throw new InvalidNotificationError(`subject must be one non-empty line of at most ${SUBJECT_MAX} characters`);
  }
  if (typeof n.body !== 'string' || n.body.length > BODY_MAX)
    throw new InvalidNotificationError(`body must be text of at most ${BODY_MAX} characters`);
  if (n.link !== undefined && (!APP_PATH.test(n.link) || n.link.length > 2000))
    throw new InvalidNotificationError('link must be a path in the app, such as /sweeps/2026-W48');
}
