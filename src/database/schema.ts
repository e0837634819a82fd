// The whole persistence model in one list each: entities (from their modules) and migrations (from
// migrations/, oldest first). The app, the CLI, the migration tool and the test harness all use these.
import { CreateJobRuns1764000000000 } from '../../migrations/1764000000000-CreateJobRuns';
import { CreateIdentity1764100000000 } from '../../migrations/1764100000000-CreateIdentity';
import { CreateCatalog1764300000000 } from '../../migrations/1764300000000-CreateCatalog';
import { CreateEvidence1764400000000 } from '../../migrations/1764400000000-CreateEvidence';
import { CreateSweeps1764500000000 } from '../../migrations/1764500000000-CreateSweeps';
import { CreateAuditLog1764200000000 } from '../../migrations/1764200000000-CreateAuditLog';
import { CreateNotifications1764600000000 } from '../../migrations/1764600000000-CreateNotifications';
import { AddBlobStore1764700000000 } from '../../migrations/1764700000000-AddBlobStore';
import { CreateRisks1764800000000 } from '../../migrations/1764800000000-CreateRisks';
import { CreateRiskReviews1764900000000 } from '../../migrations/1764900000000-CreateRiskReviews';
import { AddRiskPlansAndArisingRisks1765000000000 } from '../../migrations/1765000000000-AddRiskPlansAndArisingRisks';
import { CreateDsr1765100000000 } from '../../migrations/1765100000000-CreateDsr';
import { CreateAuditPacks1765200000000 } from '../../migrations/1765200000000-CreateAuditPacks';
import { CreateEngagements1765300000000 } from '../../migrations/1765300000000-CreateEngagements';
import { AddEventCadence1765431000000 } from '../../migrations/1765431000000-AddEventCadence';
import { RenameProbabilityLevels1765432000000 } from '../../migrations/1765432000000-RenameProbabilityLevels';
import { AddDsrGroundsAndSeparation1765410000000 } from '../../migrations/1765410000000-AddDsrGroundsAndSeparation';
import { CreateFormSubmissions1765420000000 } from '../../migrations/1765420000000-CreateFormSubmissions';
import { CreateRateLimits1765500000000 } from '../../migrations/1765500000000-CreateRateLimits';
import { CreateAuditCheckpoints1765510000000 } from '../../migrations/1765510000000-CreateAuditCheckpoints';
import { StorePacksInBlobStore1765520000000 } from '../../migrations/1765520000000-StorePacksInBlobStore';
import { StoreDsrExportsInDatabase1765530000000 } from '../../migrations/1765530000000-StoreDsrExportsInDatabase';
import { CreateIncidents1765600000000 } from '../../migrations/1765600000000-CreateIncidents';
import { GaplessIncidentNumbers1765610000000 } from '../../migrations/1765610000000-GaplessIncidentNumbers';
import { CreateDocuments1765720000000 } from '../../migrations/1765720000000-CreateDocuments';
import { CreateDocumentAcknowledgements1765730000000 } from '../../migrations/1765730000000-CreateDocumentAcknowledgements';
import { RetireDocuments1765745300000 } from '../../migrations/1765745300000-RetireDocuments';
import { CreateReleases1765800000000 } from '../../migrations/1765800000000-CreateReleases';
import { CreateFindings1765910000000 } from '../../migrations/1765910000000-CreateFindings';
import { CreateCatalogSyncState1766000000000 } from '../../migrations/1766000000000-CreateCatalogSyncState';
import { CreateKeyRegister1765900000000 } from '../../migrations/1765900000000-CreateKeyRegister';
import { AuditCheckpoint } from '../audit-trail/audit-checkpoint.entity';
import { RateLimit } from '../identity/rate-limit.entity';
import { AuditPack } from '../audit-packs/audit-pack.entity';
import { AuditLog } from '../audit-trail/audit-log.entity';
import { DataSystem } from '../dsr/data-system.entity';
import { DsrAction } from '../dsr/dsr-action.entity';
import { DsrRequest } from '../dsr/dsr-request.entity';
import { Engagement, EngagementRequest } from '../engagements/engagement.entity';
import { DsrDrill, DsrExportLink, DsrLegalHold, DsrRopaEntry } from '../dsr/dsr-support.entity';
import { ApiToken } from '../identity/api-token.entity';
import { Department } from '../identity/department.entity';
import { Session } from '../identity/session.entity';
import { User } from '../identity/user.entity';
import { JobRun } from '../jobs/job-run.entity';
import { Notification } from '../notifications/notification.entity';
import { Sweep } from '../sweeps/sweep.entity';
import { SweepTask } from '../sweeps/sweep-task.entity';
import { Control } from '../catalog/control.entity';
import { ControlRequirement } from '../catalog/control-requirement.entity';
import { Framework } from '../catalog/framework.entity';
import { Requirement } from '../catalog/requirement.entity';
import { Blob, BlobChunk } from '../evidence/blob.entity';
import { Evidence } from '../evidence/evidence.entity';
import { EvidenceControl } from '../evidence/evidence-control.entity';
import { EvidenceFile } from '../evidence/evidence-file.entity';
import { Risk } from '../risks/risk.entity';
import { RiskControl } from '../risks/risk-control.entity';
import { RiskVersion } from '../risks/risk-version.entity';
import { RiskReview } from '../risks/risk-review.entity';
import { RiskPlan } from '../risks/risk-plan.entity';
import { RiskPlanVersion } from '../risks/risk-plan-version.entity';
import { Incident } from '../incidents/incident.entity';
import {
  IncidentBreachAssessment,
  IncidentCapa,
  IncidentNotice,
  IncidentRisk,
  IncidentSeverityChange,
  IncidentTimelineEntry,
} from '../incidents/incident-records.entity';
import { Document, DocumentControl } from '../documents/document.entity';
import { DocumentAcknowledgement } from '../documents/document-acknowledgement.entity';
import { DocumentSignature } from '../documents/document-signature.entity';
import { DocumentVersion } from '../documents/document-version.entity';
import { Release } from '../releases/release.entity';
import { ReleaseAttachment, ReleaseSignature } from '../releases/release-records.entity';
import { Finding, FindingAcceptance, FindingScanImport, PenTest } from '../findings/finding.entity';
import { Key, KeyNotice, KeyRotation } from '../keys/key.entity';
import { CatalogSyncState } from '../catalog/catalog-sync-state.entity';

export const ENTITIES = [
  JobRun,
  Department,
  User,
  Session,
  ApiToken,
  AuditLog,
  Framework,
  Requirement,
  Control,
  ControlRequirement,
  Sweep,
  SweepTask,
  Blob,
  BlobChunk,
  Evidence,
  EvidenceControl,
  EvidenceFile,
  Notification,
  Risk,
  RiskControl,
  RiskVersion,
  RiskReview,
  DataSystem,
  DsrRequest,
  DsrAction,
  DsrLegalHold,
  DsrExportLink,
  DsrRopaEntry,
  DsrDrill,
  RiskPlan,
  RiskPlanVersion,
  AuditPack,
  Engagement,
  EngagementRequest,
  RateLimit,
  AuditCheckpoint,
  Incident,
  IncidentSeverityChange,
  IncidentTimelineEntry,
  IncidentBreachAssessment,
  IncidentNotice,
  IncidentCapa,
  IncidentRisk,
  Document,
  DocumentControl,
  DocumentVersion,
  DocumentSignature,
  DocumentAcknowledgement,
  Release,
  ReleaseAttachment,
  ReleaseSignature,
  Finding,
  PenTest,
  FindingScanImport,
  FindingAcceptance,
  Key,
  KeyRotation,
  KeyNotice,
  CatalogSyncState,
];

export const MIGRATIONS = [
  CreateJobRuns1764000000000,
  CreateIdentity1764100000000,
  CreateAuditLog1764200000000,
  CreateCatalog1764300000000,
  CreateEvidence1764400000000,
  CreateSweeps1764500000000,
  CreateNotifications1764600000000,
  AddBlobStore1764700000000,
  CreateRisks1764800000000,
  CreateRiskReviews1764900000000,
  AddRiskPlansAndArisingRisks1765000000000,
  CreateDsr1765100000000,
  CreateAuditPacks1765200000000,
  CreateEngagements1765300000000,
  AddDsrGroundsAndSeparation1765410000000,
  CreateFormSubmissions1765420000000,
  AddEventCadence1765431000000,
  RenameProbabilityLevels1765432000000,
  CreateRateLimits1765500000000,
  CreateAuditCheckpoints1765510000000,
  StorePacksInBlobStore1765520000000,
  StoreDsrExportsInDatabase1765530000000,
  CreateIncidents1765600000000,
  GaplessIncidentNumbers1765610000000,
  CreateDocuments1765720000000,
  CreateDocumentAcknowledgements1765730000000,
  RetireDocuments1765745300000,
  CreateReleases1765800000000,
  CreateKeyRegister1765900000000,
  CreateFindings1765910000000,
  CreateCatalogSyncState1766000000000,
];
