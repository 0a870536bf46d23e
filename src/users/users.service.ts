import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PERSONAL_TOKEN_PREFIX } from '../auth/bearer-token.service.js';
import { randomHex, sha256Hex } from '../common/crypto.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { PersonalToken } from './entities/personal-token.entity.js';
import { User } from './entities/user.entity.js';

export interface NewUser {
  email: string;
  name?: string;
  isSuperuser?: boolean;
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
    const work = async (em: EntityManager) => {
      const user = await em.save(User, em.create(User, {
        email: input.email.trim().toLowerCase(),
        name: input.name ?? '',
        isSuperuser: input.isSuperuser ?? false,
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

  private async issuePersonalToken(em: EntityManager, userId: string): Promise<string> {
    const token = PERSONAL_TOKEN_PREFIX + randomHex(32);
    await em.insert(PersonalToken, { userId, tokenHash: sha256Hex(token), tokenLastCharacters: token.slice(-4) });
    return token;
  }
}
