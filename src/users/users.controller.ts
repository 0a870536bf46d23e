import { Body, Controller, Get, NotFoundException, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { Permission } from '../auth/permission.guard.js';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBearer, ApiErrors } from '../openapi/error-bodies.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { CreatedUserDto, UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearer()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Permission('user.create')
  @ApiOperation({ summary: 'Create a user with a personal API token (superusers only)' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  @ApiErrors(400, 409)
  async create(@Body() body: CreateUserDto): Promise<CreatedUserDto> {
    const { user, token } = await this.users.create(body);
    return { id: user.id, email: user.email, name: user.name, isSuperuser: user.isSuperuser, token };
  }

  @Get('me')
  @Permission('user.read-self')
  @ApiOperation({ summary: "The token's user (an app token's is the app's proxy user)" })
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new NotFoundException('User not found');
    return { id: user.id, email: user.email, name: user.name, isSuperuser: user.isSuperuser, isSentryApp: user.isSentryApp };
  }
}
