import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SLUG_PATTERN } from '../../common/slug.js';
import { ROLES, type Role } from '../entities/organization-member.entity.js';

export class CreateOrganizationDto {
  @ApiProperty({ maxLength: 200, example: 'Acme' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ pattern: SLUG_PATTERN.source, description: 'Derived from `name` when absent; not all digits.', example: 'acme' })
  @IsOptional()
  @IsString()
  @Matches(SLUG_PATTERN, { message: 'slug must be 1-50 lowercase letters, digits or hyphens, starting with a letter or digit' })
  @Matches(/\D/, { message: 'slug cannot be all digits' })
  slug?: string;
}

export class UpdateOrganizationDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class AddMemberDto {
  @ApiProperty({ format: 'email', description: 'An existing user.' })
  @IsEmail({ require_tld: false }, { message: 'Enter a valid email address.' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class OrganizationDto {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty({ example: 'acme' })
  slug: string;

  @ApiProperty({ example: 'Acme' })
  name: string;

  @ApiProperty({ type: String, format: 'date-time' })
  dateCreated: Date;
}

export class MemberDto {
  @ApiProperty({ description: "The membership's id.", example: '2' })
  id: string;

  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty({ enum: ROLES })
  role: Role;
}
