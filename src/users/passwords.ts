import { hash, verify } from '@node-rs/argon2';

/** NIST SP 800-63B: at least 8 characters, and long passphrases allowed; the cap bounds the work. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * argon2id (the library's default algorithm) with OWASP's baseline cost: 19 MiB, 2 passes,
 * one lane. The PHC string carries its parameters, so raising them later keeps old hashes valid.
 */
const COST = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, COST);
}

// Checked against when there is no hash to check, so an unknown email costs what a wrong password does.
const DECOY = hashPassword('decoy password, never a real one');

/** True when the password matches; the same work whether or not there is a hash. */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  const matches = await verify(passwordHash ?? (await DECOY), password).catch(() => false);
  return Boolean(passwordHash) && matches;
}
