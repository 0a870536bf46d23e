import { HttpException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TokenRateLimiter } from '../sentry-apps/authorizations/token-rate-limiter.service.js';
import { PasswordLinksService } from '../users/password-links.service.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { ConsoleSessionsService } from '../auth/console-sessions.service.js';

/** Too many failed sign-ins from one address; `retryAfterSeconds` comes from the shared limiter. */
export class TooManyAttempts extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed attempts');
  }
}

/**
 * Passwords in the console: signing in spends the same per-IP failure budget as the token
 * endpoint's client authentication, and a new password ends every session of its person.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly links: PasswordLinksService,
    private readonly sessions: ConsoleSessionsService,
    private readonly limiter: TokenRateLimiter,
  ) {}

  /** The person, or null (after spending the address's budget); TooManyAttempts once it is spent. */
  async authenticate(ip: string, email: string, password: string): Promise<User | null> {
    await this.withinBudget(ip);
    const user = await this.users.authenticate(email, password);
    if (!user) await this.limiter.recordAuthFailure(ip);
    return user;
  }

  /** Sets the password of the link's person and ends their sessions; false when the link is used up or expired. */
  async setPasswordWithLink(ip: string, token: string, password: string): Promise<boolean> {
    await this.withinBudget(ip);
    const done = await this.dataSource.transaction(async (em) => {
      const userId = await this.links.consume(em, token);
      if (!userId) return false;
      await this.users.setPassword(em, userId, password);
      await this.sessions.endAllFor(em, userId);
      return true;
    });
    if (!done) await this.limiter.recordAuthFailure(ip);
    return done;
  }

  /** A signed-in person's new password: every session of theirs ends, this browser's included. */
  async changePassword(userId: string, password: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.users.setPassword(em, userId, password);
      await this.sessions.endAllFor(em, userId);
    });
  }

  private async withinBudget(ip: string): Promise<void> {
    await this.limiter.assertMayAuthenticate(ip).catch((error: unknown) => {
      if (error instanceof HttpException && error.getStatus() === 429) {
        throw new TooManyAttempts(Number((error as { headers?: Record<string, string> }).headers?.['Retry-After'] ?? 60));
      }
      throw error;
    });
  }
}
