import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { ROLES, type Role } from '../../authz/actor';
import type { UserRow } from '../users.repository';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const DEPARTMENT_KEY = /^[a-z][a-z0-9-]{1,40}$/;

/** A user as the API shows it; fields the caller may not read are left out (field-level rules). */
export class UserView {
  @ApiProperty() id: string;
  @ApiPropertyOptional() email?: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiPropertyOptional({ nullable: true, type: String }) departmentId?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'engineering' }) departmentKey?: string | null;
  @ApiProperty() active: boolean;
  @ApiPropertyOptional() createdAt?: string;
  @ApiPropertyOptional() updatedAt?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastLoginAt?: string | null;
}

/** The columns a UserView is made of: a stored user, or the one authentication read with the credential. */
export type UserViewSource = Pick<
  UserRow,
  | 'id'
  | 'email'
  | 'name'
  | 'role'
  | 'departmentId'
  | 'departmentKey'
  | 'active'
  | 'createdAt'
  | 'updatedAt'
  | 'lastLoginAt'
>;

export function userView(u: UserViewSource): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    departmentId: u.departmentId,
    departmentKey: u.departmentKey,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  };
}

export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ example: 'engineering' })
  @IsOptional()
  @Matches(DEPARTMENT_KEY, { message: 'department must be a department key' })
  department?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
  @ApiPropertyOptional({ description: 'part of the name or e-mail' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'somchai@example.co.th' }) @Transform(trim) @IsEmail() @MaxLength(254) email: string;
  @ApiProperty({ example: 'Somchai Jaidee' }) @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
  @ApiPropertyOptional({ example: 'engineering', nullable: true, type: String })
  @IsOptional()
  @Matches(DEPARTMENT_KEY, { message: 'department must be a department key' })
  department?: string | null;
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @Matches(DEPARTMENT_KEY, { message: 'department must be a department key' })
  department?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

/** What a user may change about themself: only the display name. */
export class UpdateMeDto {
  @ApiProperty() @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) name: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MaxLength(256) currentPassword: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MaxLength(256) newPassword: string;
}

export class LoginDto {
  @ApiProperty({ example: 'owner@demo.local' }) @Transform(trim) @IsEmail() @MaxLength(254) email: string;
  @ApiProperty({ example: 'attest-demo' }) @IsString() @MinLength(1) @MaxLength(256) password: string;
}

export class CreatedUserView {
  @ApiProperty({ type: UserView }) @Type(() => UserView) user: UserView;
  @ApiProperty({ description: 'shown once; the user changes it after signing in' }) oneTimePassword: string;
}

export class PasswordResetView {
  @ApiProperty({ description: 'shown once' }) oneTimePassword: string;
}
