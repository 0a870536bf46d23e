import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class InstallDto {
  /** The sentry app's slug. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  slug: string;
}

export class UpdateInstallationDto {
  @IsIn(['installed'], { message: 'status can only be set to "installed"' })
  status: 'installed';
}
