// The words people read for the incident register's keys: the pages and the audit pack's PDF say the same
// thing. The keys themselves stay in anything machine-readable (the API, the pack's model).
import type { NoticeKind } from './incident-model';

export const CATEGORY_LABEL: Record<string, string> = {
  security: 'security',
  availability: 'availability',
  personal_data_breach: 'personal-data breach',
  clinical_safety: 'clinical safety / adverse event',
  other: 'other',
};

export const ADVERSE_EVENT_LABEL: Record<string, string> = {
  serious_public_health_threat: 'serious threat to public health (48 h)',
  death_or_serious_injury: 'death or serious injury (10 days)',
  could_cause_death_or_serious_injury: 'could cause death or serious injury if it recurred (30 days)',
};

export const NOTICE_LABEL: Record<NoticeKind, string> = {
  pdpc_office: 'to the PDPC Office',
  data_subjects: 'to the data subjects',
  fda_initial: 'Thai FDA initial report',
  fda_follow_up: 'Thai FDA follow-up report',
  fsca_report: 'FSCA report to the Thai FDA',
};

/** A key in words where there is no label of its own (a status, a role): `control_owner` → `control owner`. */
export const keyWords = (key: string): string => key.replace(/_/g, ' ');

/** A category in words (the key itself when it has no label). */
export const categoryLabel = (key: string): string => CATEGORY_LABEL[key] ?? key;
