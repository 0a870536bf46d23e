import { Module } from '@nestjs/common';
import { InitialAdminService } from './initial-admin.service.js';
import { PasswordLinksService } from './password-links.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersService, InitialAdminService, PasswordLinksService],
  exports: [UsersService, InitialAdminService, PasswordLinksService],
})
export class UsersModule {}
