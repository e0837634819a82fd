// The vocabulary of authorization: actions and subject types. Rules live in ability.factory.ts only.

export const ACTIONS = ['manage', 'read', 'create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** Subject types, named after the entity they guard. Later modules add theirs here. */
export const SUBJECT_TYPES = [
  'User',
  'Department',
  'ApiToken',
  'AuditLog',
  'Framework',
  'Requirement',
  'Control',
  'Sweep',
  'SweepTask',
  'Posture',
  'Notification',
  'Evidence',
  'Risk',
  'RiskVersion',
  'RiskReview',
  'DsrRequest',
  'DataSystem',
  'DsrDrill',
  'DsrTask',
  'RiskPlan',
  'AuditPack',
  'Engagement',
  'EngagementRequest',
  'Incident',
  'BreachAssessment',
  'IncidentNotice',
  'IncidentCapa',
  'Document',
  'DocumentVersion',
  'DocumentSignature',
  'DocumentAcknowledgement',
  'Release',
  'ReleaseSignature',
  'Finding',
  'FindingImport',
  'FindingAcceptance',
  'PenTest',
  'Key',
  'KeyRotation',
] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];
