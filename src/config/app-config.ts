import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { plainToInstance, Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, validateSync } from 'class-validator';
import ipaddr from 'ipaddr.js';
import { randomHex } from '../common/crypto.js';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value);

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** A proxy as Fastify's proxy-addr takes it: an address, a CIDR, or one of its names. */
function isProxyAddress(entry: string): boolean {
  return PROXY_NAMES.has(entry) || ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry);
}

/** TRUST_PROXY's text as Fastify's trustProxy, or undefined when it is none of the accepted forms. */
export function trustProxyOf(value: unknown): false | number | string[] | undefined {
  if (value === false || value === 'false' || value === '0') return false;
  if (value === true || value === 'true') return 1;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 10 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return trustProxyOf(Number(value));
  const proxies = value.split(',').map((entry) => entry.trim());
  return proxies.every(isProxyAddress) ? proxies : undefined;
}

/** The validated environment. Defaults are the contract's. */
export class AppConfig {
  @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 9000;

  @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Verified app tokens kept in memory (see src/auth/token-cache.service.ts); 0 turns the cache off. */
  @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000)
  TOKEN_CACHE_SIZE = 10000;

  /** And at most this many (approximate) megabytes per cache, whatever its entries hold. */
  @Type(() => Number) @IsInt() @Min(1) @Max(4096)
  TOKEN_CACHE_MAX_MB = 32;

  /** The whole request head must arrive within this (Node's headersTimeout); slower clients get 408. */
  @Type(() => Number) @IsInt() @Min(100) @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** The whole request, head and body, must arrive within this (requestTimeout); a silent connection is closed after it too. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** An idle keep-alive connection is closed after this; above common load balancers' 60 s, so they close first. */
  @Type(() => Number) @IsInt() @Min(100) @Max(3_600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;

  @IsString()
  DATA_DIR = './.data';

  @Type(() => Number) @IsInt() @Min(1)
  GRANT_TTL_SECONDS = 600;

  @Type(() => Number) @IsInt() @Min(1)
  TOKEN_TTL_SECONDS = 28800;

  @Type(() => Number) @IsInt() @Min(0)
  REFRESH_GRACE_SECONDS = 60;

  @IsEmail({ require_tld: false })
  INITIAL_ADMIN_EMAIL = 'admin@localhost';

  @IsOptional() @IsString() @MinLength(32, { message: 'SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
  SECRET_KEY?: string;

  @IsOptional() @IsString() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString() @Matches(/^[\w:.-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1-64 letters, digits, or _ : . -' })
  REDIS_KEY_PREFIX = 'authz';

  /**
   * Behind load balancers, which of X-Forwarded-For's addresses is the client (Fastify's
   * trustProxy): false, a number of proxy hops (`true` is one), or the proxies' addresses.
   * Never "trust every hop": the left-most address is whatever the client wrote there.
   */
  @Transform(({ value }) => trustProxyOf(value) ?? value)
  @ValidateBy({ name: 'isTrustProxy', validator: { validate: (value) => value === false || typeof value === 'number' || Array.isArray(value), defaultMessage: () => 'TRUST_PROXY must be false, true (one proxy), a number of proxies (1-10), or a comma-separated list of proxy addresses or CIDRs' } })
  TRUST_PROXY: false | number | string[] = false;

  @Type(() => Number) @IsInt() @Min(1)
  RATE_LIMIT_TOKEN_PER_MINUTE = 60;

  @Type(() => Number) @IsInt() @Min(1)
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE = 20;

  /** Keys each in-process rate limiter holds at most (least recently used out first). */
  @Type(() => Number) @IsInt() @Min(100) @Max(10_000_000)
  RATE_LIMIT_MAX_KEYS = 100_000;

  @Type(() => Number) @IsInt() @Min(1) @Max(20)
  WEBHOOK_MAX_ATTEMPTS = 6;

  @Transform(toBoolean) @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE = false;

  /** Per attempt, connect to last response header. */
  @Type(() => Number) @IsInt() @Min(100) @Max(60000)
  WEBHOOK_TIMEOUT_MS = 5000;

  /** Retry n waits base × 2^(n-1): with 120 s, six attempts span about an hour (2+4+8+16+32 min). */
  @Type(() => Number) @IsNumber() @Min(0) @Max(86400)
  WEBHOOK_BACKOFF_BASE_SECONDS = 120;

  @Type(() => Number) @IsInt() @Min(10) @Max(600000)
  WEBHOOK_POLL_INTERVAL_MS = 1000;

  @Type(() => Number) @IsInt() @Min(1)
  JANITOR_INTERVAL_SECONDS = 300;

  @Type(() => Number) @IsInt() @Min(1) @Max(100000)
  JANITOR_BATCH_SIZE = 1000;

  @Transform(toBoolean) @IsBoolean()
  MANUAL_REFRESH_ENABLED = true;

  /** A console session ends after this long without a request… */
  @Type(() => Number) @IsInt() @Min(60) @Max(30 * 86400)
  SESSION_IDLE_SECONDS = 7200;

  /** …and this long after sign-in, however active it is. */
  @Type(() => Number) @IsInt() @Min(60) @Max(90 * 86400)
  SESSION_MAX_AGE_SECONDS = 43200;

  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open (scrape it on a private network). */
  @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

export class ConfigError extends Error {}

/**
 * Limits that may not exceed another: a session's idle timeout its whole lifetime, and the
 * request head's deadline the whole request's (Node refuses to start a server otherwise).
 */
const AT_MOST: [keyof AppConfig, keyof AppConfig][] = [
  ['SESSION_IDLE_SECONDS', 'SESSION_MAX_AGE_SECONDS'],
  ['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS'],
];

/**
 * Validates the environment once, at start. An invalid value stops the start with a
 * message naming the variable. Empty strings count as unset, as shells and compose files
 * tend to produce them.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).concat('DATABASE_URL', 'SECRET_KEY', 'REDIS_URL', 'METRICS_TOKEN');
  const raw = Object.fromEntries(known.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]));
  const config = plainToInstance(AppConfig, raw);
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `  ${error.property}=${JSON.stringify(raw[error.property])}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  for (const [lower, upper] of AT_MOST) {
    if ((config[lower] as number) > (config[upper] as number)) {
      throw new ConfigError(`Invalid configuration:\n  ${lower}=${config[lower]}: must not exceed ${upper} (${config[upper]}).`);
    }
  }
  if (!config.SECRET_KEY) {
    if (config.DATABASE_URL) {
      throw new ConfigError('Invalid configuration:\n  SECRET_KEY is required when DATABASE_URL is set (32+ characters, e.g. `openssl rand -hex 32`); it encrypts client secrets at rest.');
    }
    config.SECRET_KEY = embeddedSecretKey(config.DATA_DIR);
  }
  return config;
}

/** The embedded default keeps its generated key beside its data, readable only by its owner. */
function embeddedSecretKey(dataDir: string): string {
  const file = join(resolve(dataDir), 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o755 });
  const key = randomHex(32);
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
