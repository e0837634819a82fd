// A personal-data breach as the PDPC rules describe it: the assessment's facts, the risk factors the
// Notification's clause 12 names, and the content a notice to the Office carries at least. Pure data.
import type { BreachDecision } from './incident-clocks';

/** Confidentiality, integrity or availability (the PDPC guideline's typology); several may apply. */
export const BREACH_TYPES = ['confidentiality', 'integrity', 'availability'] as const;
export type BreachType = (typeof BREACH_TYPES)[number];

/**
 * The risk-assessment factors of clause 12 of the PDPC Notification on breach notification B.E. 2565:
 * the nature of the breach; the type and volume of data; how vulnerable the subjects are (patients,
 * minors); how severe the consequences are and how well remediation works; wider effects; the storage and
 * its safeguards (e.g. encryption that makes the data unintelligible).
 */
export const BREACH_FACTORS = [
  'nature',
  'dataTypeAndVolume',
  'subjectVulnerability',
  'consequenceSeverity',
  'widerEffects',
  'safeguards',
] as const;
export type BreachFactor = (typeof BREACH_FACTORS)[number];
export const FACTOR_LEVELS = ['low', 'medium', 'high'] as const;
export type FactorLevel = (typeof FACTOR_LEVELS)[number];

export const BREACH_DECISIONS = ['no_risk', 'risk', 'high_risk'] as const satisfies readonly BreachDecision[];

/** A breach assessment as recorded: counts and categories only, never a subject's identity. */
export interface BreachAssessmentFacts {
  types: BreachType[];
  /** Categories of personal data involved, e.g. "contact details", "lab results". */
  dataCategories: string[];
  /** Sensitive data under PDPA s. 26 (health data above all) is involved. */
  sensitive: boolean;
  subjectsApprox: number | null;
  recordsApprox: number | null;
  factors: Record<BreachFactor, { level: FactorLevel; note: string | null }>;
  likelyConsequences: string;
  measuresTaken: string;
  measuresProposed: string | null;
  decision: BreachDecision;
  reasons: string;
  decidedAt: Date;
}

/**
 * What the notification draft (PDF) is filled from: the minimum content of a notice to the Office (the
 * nature of the breach with its types and the approximate numbers of subjects and records, the contact
 * point, the likely consequences, the measures taken or proposed) and the clock it answers.
 */
export interface BreachNoticeDraft {
  /** e.g. INC-0007 */
  incidentRef: string;
  title: string;
  description: string;
  /** The controller (the company) as it names itself, and its DPO or contact point. */
  controller: string;
  contact: { name: string; email: string; role: string };
  detectedAt: Date;
  awareAt: Date;
  assessment: BreachAssessmentFacts;
  /** When the notice to the Office falls due (aware at + 72 h), and the late reason if one is recorded. */
  officeDueAt: Date;
  lateReason: string | null;
  generatedAt: Date;
  /** The compliance time zone the times are printed in, e.g. Asia/Bangkok. */
  zone: string;
}
