import { describe, expect, it } from '@jest/globals';
import { hashPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('stores argon2id hashes that verify only the same password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword(stored, 'correct horse battery staple')).resolves.toBe(true);
    await expect(verifyPassword(stored, 'correct horse battery stapl')).resolves.toBe(false);
  });

  it('never matches without a stored hash or with a damaged one', async () => {
    await expect(verifyPassword(null, 'decoy password, never a real one')).resolves.toBe(false);
    await expect(verifyPassword('$argon2id$garbage', 'anything')).resolves.toBe(false);
  });
});
