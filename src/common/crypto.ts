import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';

const RANDOM_POOL = Buffer.alloc(4096);
const MAX_POOLED_DRAW = 256;
let randomOffset = RANDOM_POOL.length;

/**
 * Random bytes for secrets, tokens and nonces. Small draws come from a pool filled by the
 * system's CSPRNG 4 KB at a time, as Node's own randomUUID does: a call into OpenSSL costs
 * more than the bytes (it was a tenth of a refresh's CPU). Bytes handed out are zeroed in the
 * pool, so no secret lingers there after it is drawn.
 */
function drawRandom<T>(bytes: number, take: (pool: Buffer, start: number, end: number) => T): T {
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_POOLED_DRAW) throw new RangeError(`A pooled draw takes 1 to ${MAX_POOLED_DRAW} bytes, not ${bytes}`);
  if (randomOffset + bytes > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  const start = randomOffset;
  randomOffset += bytes;
  const drawn = take(RANDOM_POOL, start, randomOffset);
  RANDOM_POOL.fill(0, start, randomOffset);
  return drawn;
}

/** A new random secret as lowercase hex: 32 bytes give Sentry's 64-character tokens. */
export function randomHex(bytes = 32): string {
  if (bytes > MAX_POOLED_DRAW) return randomBytes(bytes).toString('hex');
  return drawRandom(bytes, (pool, start, end) => pool.toString('hex', start, end));
}

/** `bytes` new random bytes (at most 256), e.g. a nonce. */
function randomBuffer(bytes: number): Buffer {
  return drawRandom(bytes, (pool, start, end) => Buffer.from(pool.subarray(start, end)));
}

/** The shape of every token, refresh token, code and client id this server mints: 32 random bytes as lowercase hex. */
export function isHexToken(value: unknown): value is string {
  return typeof value === 'string' && value.length === 64 && /^[0-9a-f]{64}$/.test(value);
}

/** Tokens, refresh tokens, personal tokens and grant codes are stored only as this digest. */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** The SHA-256 digest of a string's UTF-8 bytes. */
export function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Constant-time string comparison; hashing first makes the lengths equal. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

const SEALED_HEADER = 1 + 12 + 16;
const SEAL_LABEL = 'sentry-app-authz: sealed under a presented secret, v1';

/**
 * The key of a seal, from the caller's secret alone with `context` bound in: nothing stored
 * (and not SECRET_KEY) goes in, so only whoever presents the secret derives it. Its SHA-256
 * digest, which the database holds, does not help: both derivations are keyed HMAC, not a hash.
 * - v2, what `sealUnder` writes: HKDF-Expand (RFC 5869) with the secret as the pseudorandom
 *   key, one HMAC-SHA256. The secrets sealed under are 256-bit random tokens, already uniform,
 *   so RFC 5869 §3.3 lets the extract step go; it cost two HMACs and Node's key objects.
 * - v1, still opened (a seal lives only for the grace window): full HKDF-SHA256, context as salt.
 */
const KEYS: Record<number, (secret: string, context: string) => Buffer> = {
  1: (secret, context) => Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from(context, 'utf8'), SEAL_LABEL, 32)),
  2: (secret, context) => createHmac('sha256', sealingKey(secret)).update(`${SEAL_LABEL}\n${context}\x01`, 'utf8').digest(),
};

/**
 * v2 seals only under a token of ours: 64 hex characters, taken as the 32 random bytes they
 * encode. (Any other string would still be an HMAC key, but one longer than SHA-256's block
 * is first hashed to its SHA-256, the very digest the database stores.)
 */
function sealingKey(secret: string): Buffer {
  if (!isHexToken(secret)) throw new RangeError('Only a 64-hex token seals or opens an answer');
  return Buffer.from(secret, 'hex');
}
const SEALED_VERSION = 2;

/** AES-256-GCM under a key only `secret` gives, bound to `context` (also the AAD): version, iv, tag, ciphertext. */
export function sealUnder(secret: string, context: string, plaintext: Buffer): Buffer {
  const iv = randomBuffer(12);
  const cipher = createCipheriv('aes-256-gcm', KEYS[SEALED_VERSION]!(secret, context), iv).setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(SEALED_VERSION), iv, cipher.getAuthTag(), body]);
}

/** The plaintext of `sealUnder`, or undefined for another secret or context, or a damaged seal. */
export function openUnder(secret: string, context: string, sealed: Buffer): Buffer | undefined {
  const key = sealed.length >= SEALED_HEADER ? KEYS[sealed[0]!] : undefined;
  if (!key || (sealed[0] === 2 && !isHexToken(secret))) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key(secret, context), sealed.subarray(1, 13)).setAAD(Buffer.from(context, 'utf8'));
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
