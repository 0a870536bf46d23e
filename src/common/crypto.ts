import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** A new random secret as lowercase hex: 32 bytes give Sentry's 64-character tokens. */
export function randomHex(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

/** Tokens, refresh tokens, personal tokens and grant codes are stored only as this digest. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string comparison; hashing first makes the lengths equal. */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}

const SEALED_VERSION = 1;
const SEALED_HEADER = 1 + 12 + 16;
const SEAL_LABEL = 'sentry-app-authz: sealed under a presented secret, v1';

/**
 * The key of `sealUnder`: HKDF-SHA256 of the caller's secret alone, with `context` as salt.
 * Nothing stored (and not SECRET_KEY) goes in, so only whoever presents the secret derives it;
 * its SHA-256 digest, which the database holds, does not help (HKDF is keyed HMAC, not a hash).
 */
function keyUnder(secret: string, context: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from(context, 'utf8'), SEAL_LABEL, 32));
}

/** AES-256-GCM under a key only `secret` gives, bound to `context` (also the AAD): version, iv, tag, ciphertext. */
export function sealUnder(secret: string, context: string, plaintext: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyUnder(secret, context), iv).setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(SEALED_VERSION), iv, cipher.getAuthTag(), body]);
}

/** The plaintext of `sealUnder`, or undefined for another secret or context, or a damaged seal. */
export function openUnder(secret: string, context: string, sealed: Buffer): Buffer | undefined {
  if (sealed.length < SEALED_HEADER || sealed[0] !== SEALED_VERSION) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', keyUnder(secret, context), sealed.subarray(1, 13)).setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(sealed.subarray(13, SEALED_HEADER));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(SEALED_HEADER)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * Everything derived from SECRET_KEY: AES-256-GCM for client secrets at rest (webhooks
 * are signed with them, so they cannot be one-way hashed), and the HMAC key that turns a
 * grant's id into its code, so the code itself never has to be stored.
 */
export class SecretBox {
  private readonly encryptionKey: Buffer;
  private readonly codeKey: Buffer;

  constructor(secretKey: string) {
    const ikm = Buffer.from(secretKey, 'utf8');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'client-secret-encryption', 32));
    this.codeKey = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'grant-code', 32));
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) {
      throw new Error('Unrecognised ciphertext format');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** A grant code: 64 lowercase hex, reproducible only with SECRET_KEY. */
  grantCode(grantId: string): string {
    return createHmac('sha256', this.codeKey).update(`grant:${grantId}`).digest('hex');
  }
}
