import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../authz/actor';
import { emptyToUndefined } from './form-fields';

/** The "add user" form on the user-admin page. */
export class CreateUserFormDto {
  @Transform(emptyToUndefined) @IsEmail() @MaxLength(254) email: string;
  @Transform(emptyToUndefined) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @IsIn(ROLES) role: Role;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, { message: 'department must be a department key' })
  department?: string;
}

/** The per-row form: role, department and active status. */
export class UpdateUserFormDto {
  @IsIn(ROLES) role: Role;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, { message: 'department must be a department key' })
  department?: string;
  @IsIn(['true', 'false']) active: 'true' | 'false';
}
