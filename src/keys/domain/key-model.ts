// The key register's vocabulary (issue 18). Pure.
export const KEY_KINDS = ['third_party', 'service_role'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** ci: recorded with an API token (a pipeline rotated it); owner_attestation: an owner says so, signed in. */
export const ROTATION_SOURCES = ['ci', 'owner_attestation'] as const;
export type RotationSource = (typeof ROTATION_SOURCES)[number];

export type KeyNoticeKind = 'reminder' | 'escalation';

export const KEY_STATES = ['ok', 'due_soon', 'overdue'] as const;
export type KeyState = (typeof KEY_STATES)[number];

/** A key name: a slug, 2-80 characters, lower case letters, digits and hyphens. */
export const KEY_NAME = /^[a-z0-9][a-z0-9-]{1,79}$/;

/** The controls the register's weekly snapshot is evidence of name this collector (controls/*.yaml). */
export const KEY_REGISTER_COLLECTOR = 'key-register';
