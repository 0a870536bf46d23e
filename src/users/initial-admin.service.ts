import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { User } from './entities/user.entity.js';
import { UsersService, type CreatedUser } from './users.service.js';

/** Serialises the first-start check across instances that boot at once. */
const INITIAL_ADMIN_LOCK = 7_401_001;

@Injectable()
export class InitialAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  /** On a database with no users, creates the superuser INITIAL_ADMIN_EMAIL; null every other time. */
  ensure(): Promise<CreatedUser | null> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [INITIAL_ADMIN_LOCK]);
      if ((await em.count(User)) > 0) return null;
      return this.users.create({ email: this.config.INITIAL_ADMIN_EMAIL, name: 'Admin', isSuperuser: true }, em);
    });
  }
}
