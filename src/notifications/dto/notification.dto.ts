import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { EMAIL_STATUSES, type EmailStatus, type Notification } from '../notification.entity';

/** `?unread=1` (or true): unread only; `?unread=0` (or false): read only; absent or empty: all. */
const flag = ({ value }: { value: unknown }) =>
  value === '1' || value === 'true'
    ? true
    : value === '0' || value === 'false'
      ? false
      : value === ''
        ? undefined
        : value;

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['1', '0', 'true', 'false'], description: '1: unread only; 0: read only' })
  @IsOptional()
  @Transform(flag)
  @IsBoolean({ message: 'unread must be 1, 0, true or false' })
  unread?: boolean;
}

export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'sweep.reminder' }) kind: string;
  @ApiProperty() subject: string;
  @ApiProperty({ description: 'plain text' }) body: string;
  @ApiProperty({ nullable: true, type: String, example: '/sweeps/2026-W48', description: 'a path in the app' }) link:
    string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt: string | null;
  @ApiProperty({ enum: EMAIL_STATUSES, description: 'not_needed: in-app only' }) emailStatus: EmailStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) emailSentAt: string | null;
}

export function notificationView(n: Notification): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    subject: n.subject,
    body: n.body,
    link: n.link,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
    emailStatus: n.emailStatus,
    emailSentAt: n.emailSentAt?.toISOString() ?? null,
  };
}

export class UnreadCountView {
  @ApiProperty() unread: number;
}

export class MarkedReadView {
  @ApiProperty({ description: 'how many were unread and are now read' }) marked: number;
}
