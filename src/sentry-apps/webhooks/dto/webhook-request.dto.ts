import { ApiProperty } from '@nestjs/swagger';

class OrganizationSlugDto {
  @ApiProperty({ example: 'acme' })
  slug: string;
}

/** One delivery in an app's request log. */
export class WebhookRequestDto {
  @ApiProperty({ type: String, format: 'date-time' })
  date: string;

  @ApiProperty({ enum: ['installation.created', 'installation.deleted'] })
  eventType: string;

  @ApiProperty({ format: 'uri' })
  webhookUrl: string;

  @ApiProperty({ type: Number, nullable: true, description: 'The last answer, if any.' })
  responseCode: number | null;

  @ApiProperty({ type: OrganizationSlugDto })
  organization: OrganizationSlugDto;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ enum: ['delivered', 'retrying', 'failed', 'blocked'] })
  status: string;
}
