import type { User } from './entities/user.entity.js';

/** How a person is named to others (Sentry's actor name): the display name, falling back to the email. */
export function displayName(user: Pick<User, 'name' | 'email'>): string {
  return user.name || user.email;
}
