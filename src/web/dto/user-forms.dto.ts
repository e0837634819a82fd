import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { ROLES, type Role } from '../../authz/actor';
import { emptyToUndefined, formText } from './form-fields';

/**
 * The "add user" form as the browser sends it: loose bounded strings, so that a mistake reaches the page
 * controller, which validates it as POST /api/users does (CreateUserDto) and shows the form again with what
 * was typed and each problem next to its field.
 */
export class CreateUserFormDto {
  @formText(320) email?: string;
  @formText(400) name?: string;
  @formText(40) role?: string;
  @formText(80) department?: string;
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
