import { ApiProperty } from '@nestjs/swagger';

class UserFieldsDto {
  @ApiProperty({ example: '1' })
  id: string;

  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  isSuperuser: boolean;
}

export class UserDto extends UserFieldsDto {
  @ApiProperty({ description: "True for a sentry app's proxy user." })
  isSentryApp: boolean;
}

export class CreatedUserDto extends UserFieldsDto {
  @ApiProperty({ description: 'A new personal API token, shown only in this response.', example: 'sntryu_…' })
  token: string;
}
