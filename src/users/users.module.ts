import { Module } from '@nestjs/common';
import { InitialAdminService } from './initial-admin.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersService, InitialAdminService],
  exports: [UsersService, InitialAdminService],
})
export class UsersModule {}
