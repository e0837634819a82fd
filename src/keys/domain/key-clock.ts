// A key's interval and clock from the register row and the policy file (issue 18). Pure.
import { keyRotationClock, type KeyRotationClock } from '../../releases/domain/secops-clocks';
import type { KeyKind } from './key-model';

export interface KeyClockInput {
  kind: KeyKind;
  intervalDays: number | null;
  lastRotatedAt: Date | null;
  createdAt: Date;
}

/** The key's own interval, else its kind's default (keyRotationDays in controls/release-gates.yaml). */
export function intervalOf(
  key: Pick<KeyClockInput, 'kind' | 'intervalDays'>,
  defaults: Record<KeyKind, number>,
): number {
  return key.intervalDays ?? defaults[key.kind];
}

/** The key's rotation clock at `now`: due at the end of the day `interval` days after its last rotation. */
export function clockOf(
  key: KeyClockInput,
  defaults: Record<KeyKind, number>,
  now: Date,
  zone: string,
): KeyRotationClock & { intervalDays: number } {
  const intervalDays = intervalOf(key, defaults);
  return { ...keyRotationClock(key.lastRotatedAt, key.createdAt, intervalDays, now, zone), intervalDays };
}
