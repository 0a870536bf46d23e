import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { OrganizationRefDto } from '../../apps/dto/sentry-app.dto.js';

export class InstallDto {
  /** The sentry app's slug. */
  @ApiProperty({ description: "The sentry app's slug.", example: 'my-integration' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  slug: string;
}

export class UpdateInstallationDto {
  @ApiProperty({ enum: ['installed'] })
  @IsIn(['installed'], { message: 'status can only be set to "installed"' })
  status: 'installed';
}

export class AppRefDto {
  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ example: 'my-integration' })
  slug: string;
}

export class InstallationDto {
  @ApiProperty({ format: 'uuid' })
  uuid: string;

  @ApiProperty({ type: AppRefDto })
  app: AppRefDto;

  @ApiProperty({ type: OrganizationRefDto })
  organization: OrganizationRefDto;

  @ApiProperty({ enum: ['pending', 'installed'] })
  status: string;

  @ApiPropertyOptional({
    pattern: '^[0-9a-f]{64}$',
    description: "The single-use grant code, while unexchanged and unexpired; only owners and managers see it.",
  })
  code?: string;
}
