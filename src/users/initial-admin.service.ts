import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { User } from './entities/user.entity.js';
import { PasswordLinksService } from './password-links.service.js';
import { UsersService, type CreatedUser } from './users.service.js';

/** Serialises the first-start check across instances that boot at once. */
const INITIAL_ADMIN_LOCK = 7_401_001;

export interface InitialAdmin extends CreatedUser {
  /** Opens /auth/set-password/{token}/ once, within PASSWORD_LINK_TTL_SECONDS. */
  passwordLinkToken: string;
}

@Injectable()
export class InitialAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly links: PasswordLinksService,
    private readonly config: AppConfig,
  ) {}

  /**
   * On a database with no users, creates the superuser INITIAL_ADMIN_EMAIL with a personal
   * token and a one-time link to set its console password; null every other time.
   */
  ensure(): Promise<InitialAdmin | null> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [INITIAL_ADMIN_LOCK]);
      if ((await em.count(User)) > 0) return null;
      const created = await this.users.create({ email: this.config.INITIAL_ADMIN_EMAIL, name: 'Admin', isSuperuser: true }, em);
      return { ...created, passwordLinkToken: await this.links.create(em, created.user.id) };
    });
  }
}
