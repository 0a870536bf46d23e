import { Body, Controller, Get, NotFoundException, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SuperuserOnly } from '../auth/principal-rule.guard.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UsersService } from './users.service.js';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @SuperuserOnly()
  async create(@Body() body: CreateUserDto) {
    const { user, token } = await this.users.create(body);
    return { id: user.id, email: user.email, name: user.name, isSuperuser: user.isSuperuser, token };
  }

  @Get('me')
  async me(@CurrentPrincipal() principal: Principal) {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new NotFoundException('User not found');
    return { id: user.id, email: user.email, name: user.name, isSuperuser: user.isSuperuser, isSentryApp: user.isSentryApp };
  }
}
