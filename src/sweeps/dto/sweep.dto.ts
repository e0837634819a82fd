import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { boolQuery } from '../../common/http/bool-query';
import { taskTiming, type TaskTiming } from '../domain/due-date';
import { TASK_STATUSES, type SweepTask, type TaskStatus } from '../sweep-task.entity';

export class WeekParams {
  @ApiProperty({ example: '2026-W48' })
  @Matches(/^\d{4}-W\d{2}$/, { message: 'week must be an ISO week like 2026-W48' })
  week: string;
}

export class OpenSweepDto {
  @ApiPropertyOptional({ example: '2026-W48', description: 'default: this week in TZ_COMPLIANCE' })
  @IsOptional()
  @Matches(/^\d{4}-W\d{2}$/, { message: 'week must be an ISO week like 2026-W48' })
  week?: string;
}

export class TaskIdParams {
  @ApiProperty() @IsUUID('all', { message: 'id must be a task id' }) id: string;
}

export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '1: only tasks for me (assigned to me, or to my department when no person is)' })
  @IsOptional()
  @boolQuery()
  @IsBoolean()
  mine?: boolean;

  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES) status?: TaskStatus;

  @ApiPropertyOptional({ description: "only the tasks assigned to this person (a user id, as byOwner's ownerUserId)" })
  @IsOptional()
  @IsUUID('all', { message: 'owner must be a user id' })
  owner?: string;

  @ApiPropertyOptional({ description: 'only the tasks of this department that no person is assigned to' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'department must be a department key' })
  department?: string;

  @ApiPropertyOptional({ description: '1: only open tasks past their due time' })
  @IsOptional()
  @boolQuery()
  @IsBoolean()
  overdue?: boolean;
}

// Named apart from evidence's ChecklistAnswerDto (other limits): the OpenAPI document keys schemas by name.
@ApiSchema({ name: 'SweepChecklistAnswerDto' })
export class ChecklistAnswerDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(300) question: string;
  @ApiProperty() @IsBoolean() answer: boolean;
}

export const OUTCOMES = ['evidence', 'attestation', 'exception'] as const;

export class CompleteTaskDto {
  @ApiProperty({
    enum: OUTCOMES,
    description: 'evidence already attached to the control, an attestation, or an exception',
  })
  @IsIn(OUTCOMES)
  outcome: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ type: [String], description: 'outcome evidence: ids of evidence linked to this control' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'evidenceIds must be evidence ids' })
  evidenceIds?: string[];

  @ApiPropertyOptional({
    example: 'No change to production access this week.',
    description: 'outcome attestation: what the owner states',
  })
  @IsOptional()
  @IsString()
  @MinLength(5)
  @MaxLength(2000)
  statement?: string;

  @ApiPropertyOptional({ type: [ChecklistAnswerDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @ValidateNested({ each: true })
  @Type(() => ChecklistAnswerDto)
  checklist?: ChecklistAnswerDto[];

  @ApiPropertyOptional({ description: 'outcome exception: why the control could not be evidenced' })
  @IsOptional()
  @IsString()
  @MinLength(5)
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class SweepTaskView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'ACC-01' }) controlKey: string;
  @ApiProperty() controlTitle: string;
  @ApiProperty({ nullable: true, type: String }) ownerUserId: string | null;
  @ApiProperty() ownerDepartment: string;
  @ApiProperty({ enum: TASK_STATUSES }) status: TaskStatus;
  @ApiProperty({
    description: "the due time this task has: the sweep's nominal one, or a later fair one when the sweep opened late",
  })
  dueAt: string;
  @ApiProperty({
    enum: ['open', 'overdue', 'on_time', 'late'],
    description:
      "against this task's own due time: open (not yet due), overdue (open after it), on_time or late (done by or after it)",
  })
  timing: TaskTiming;
  @ApiProperty({ nullable: true, type: String }) completedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ type: [String] }) evidenceIds: string[];
}

export function sweepTaskView(t: SweepTask, now: Date = new Date()): SweepTaskView {
  return {
    id: t.id,
    controlKey: t.controlKey,
    controlTitle: t.controlTitle,
    ownerUserId: t.ownerUserId,
    ownerDepartment: t.ownerDepartment,
    status: t.status,
    dueAt: t.dueAt.toISOString(),
    timing: taskTiming(t, now),
    completedAt: t.completedAt?.toISOString() ?? null,
    note: t.note,
    evidenceIds: t.evidenceIds,
  };
}

/** A control's sweep outcome other than uploaded evidence: an exception or an attestation, with its reason. */
export class ControlOutcomeView {
  @ApiProperty({ example: '2026-W49' }) week: string;
  @ApiProperty({ enum: ['exception', 'attested'] }) outcome: 'exception' | 'attested';
  @ApiProperty({ nullable: true, type: String, description: "the exception's reason, or the attestation's statement" })
  note: string | null;
  @ApiProperty() completedAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'who recorded it (name)' }) completedBy: string | null;
  @ApiProperty({ enum: ['on_time', 'late'] }) timing: TaskTiming;
  @ApiProperty({ type: [String], description: "an attestation's evidence id" }) evidenceIds: string[];
}

export class OwnerProgressView {
  @ApiProperty() owner: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "the person's user id; null: the department's unassigned tasks",
  })
  ownerUserId: string | null;
  @ApiProperty() department: string;
  @ApiProperty() open: number;
  @ApiProperty({ description: 'open past their due time' }) overdue: number;
  @ApiProperty() done: number;
}

export class SweepView {
  @ApiProperty({ example: '2026-W48' }) week: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status: 'open' | 'closed';
  @ApiProperty() openedAt: string;
  @ApiProperty({
    description:
      'when the tasks are due: nominalDueAt, or a fair later time when the sweep opened less than one working day before it',
  })
  dueAt: string;
  @ApiProperty({ description: "SWEEP_DUE in the sweep's week" }) nominalDueAt: string;
  @ApiProperty() openedLate: boolean;
  @ApiProperty({ nullable: true, type: String }) closedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) summaryEvidenceId: string | null;
  @ApiProperty() tasks: number;
  @ApiProperty({ description: 'completed, attested or excepted' }) done: number;
  @ApiProperty({ description: 'open past their due time (at closing, for a closed sweep)' }) overdue: number;
  @ApiProperty({ type: [OwnerProgressView], description: 'progress per owner (compliance managers and admins only)' })
  byOwner: OwnerProgressView[];
}
