// Controls as other modules see them (sweeps, evidence). Pure types.
import type { Cadence } from './catalog-model';

export interface LiveControl {
  id: string;
  key: string;
  title: string;
  cadence: Cadence;
  /** Cadence `event` only (see sweeps/domain/cadence.ts). */
  maxIntervalDays: number | null;
  ownerDepartment: string;
  ownerUserId: string | null;
  collector: string | null;
}

/** A control as other modules refer to it: id, key and who owns it. */
export interface ControlRef {
  id: string;
  key: string;
  ownerDepartment: string;
  ownerUserId: string | null;
  retired: boolean;
}
