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

  /** The person, or null (the attempt's point of the address's budget stays spent); TooManyAttempts once it is spent. */
  authenticate(ip: string, email: string, password: string): Promise<User | null> {
    return this.attempt(ip, () => this.users.authenticate(email, password));
  }

  /** Sets the password of the link's person and ends their sessions; false when the link is used up or expired. */
  async setPasswordWithLink(ip: string, token: string, password: string): Promise<boolean> {
    return this.attempt(ip, () =>
      this.dataSource.transaction(async (em) => {
        const userId = await this.links.consume(em, token);
        if (!userId) return false;
        await this.users.setPassword(em, userId, password);
        await this.sessions.endAllFor(em, userId);
        return true;
      }),
    );
  }

  /** A signed-in person's new password: every session of theirs ends, this browser's included. */
  async changePassword(userId: string, password: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.users.setPassword(em, userId, password);
      await this.sessions.endAllFor(em, userId);
    });
  }

  /**
   * Runs one guess within the address's failure budget: its point is spent before the guess is
   * checked (so parallel guesses cannot all pass the check first), and given back on success
   * or when the attempt fails for another reason than a wrong guess.
   */
  private async attempt<T>(ip: string, guess: () => Promise<T>): Promise<T> {
    const refund = await this.limiter.reserveAuthAttempt(ip).catch((error: unknown) => {
      if (error instanceof HttpException && error.getStatus() === 429) {
        throw new TooManyAttempts(Number((error as { headers?: Record<string, string> }).headers?.['Retry-After'] ?? 60));
      }
      throw error;
    });
    let outcome: T;
    try {
      outcome = await guess();
    } catch (error) {
      await refund();
      throw error;
    }
    if (outcome) await refund();
    return outcome;
  }
}
