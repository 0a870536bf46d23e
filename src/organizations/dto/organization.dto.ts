import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SLUG_PATTERN } from '../../common/slug.js';
import { ROLES, type Role } from '../entities/organization-member.entity.js';

export class CreateOrganizationDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @IsOptional()
  @IsString()
  @Matches(SLUG_PATTERN, { message: 'slug must be 1-50 lowercase letters, digits or hyphens, starting with a letter or digit' })
  @Matches(/\D/, { message: 'slug cannot be all digits' })
  slug?: string;
}

export class UpdateOrganizationDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class AddMemberDto {
  @IsEmail({ require_tld: false }, { message: 'Enter a valid email address.' })
  @MaxLength(254)
  email: string;

  @IsIn(ROLES)
  role: Role;
}
