import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PERSONAL_TOKEN_PREFIX } from '../auth/bearer-token.service.js';
import { randomHex, sha256Hex } from '../common/crypto.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { PersonalToken } from './entities/personal-token.entity.js';
import { User } from './entities/user.entity.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface NewUser {
  email: string;
  name?: string;
  isSuperuser?: boolean;
  /** Lets the person sign in to the console; stored only as an argon2id hash. */
  password?: string;
}

export interface CreatedUser {
  user: User;
  /** The personal token in plaintext: shown this once, stored only as a hash. */
  token: string;
}

@Injectable()
export class UsersService {
  constructor(private readonly dataSource: DataSource) {}

  async create(input: NewUser, manager?: EntityManager): Promise<CreatedUser> {
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const work = async (em: EntityManager) => {
      const user = await em.save(User, em.create(User, {
        email: input.email.trim().toLowerCase(),
        name: input.name ?? '',
        isSuperuser: input.isSuperuser ?? false,
        passwordHash,
      }));
      return { user, token: await this.issuePersonalToken(em, user.id) };
    };
    try {
      return await (manager ? work(manager) : this.dataSource.transaction(work));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException('A user with this email already exists.');
      throw error;
    }
  }

  findById(id: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.dataSource.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
  }

  /** The person with this email and password; null otherwise, after the same work either way. */
  async authenticate(email: string, password: string): Promise<User | null> {
    const user = await this.dataSource.getRepository(User).findOne({
      select: { id: true, email: true, name: true, isSuperuser: true, isSentryApp: true, passwordHash: true },
      where: { email: email.trim().toLowerCase() },
    });
    const matches = await verifyPassword(user?.isSentryApp ? null : user?.passwordHash, password);
    return matches && user ? { ...user, passwordHash: null } : null;
  }

  /** Replaces the password. Ending the person's sessions is the caller's part of the same transaction. */
  async setPassword(em: EntityManager, userId: string, password: string): Promise<void> {
    const result = await em.update(User, { id: userId, isSentryApp: false }, { passwordHash: await hashPassword(password) });
    if (!result.affected) throw new NotFoundException('User not found');
  }

  private async issuePersonalToken(em: EntityManager, userId: string): Promise<string> {
    const token = PERSONAL_TOKEN_PREFIX + randomHex(32);
    await em.insert(PersonalToken, { userId, tokenHash: sha256Hex(token), tokenLastCharacters: token.slice(-4) });
    return token;
  }
}
