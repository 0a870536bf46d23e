/** The PostgreSQL SQLSTATE behind an error, whether pg's own or wrapped by TypeORM. */
export function pgErrorCode(error: unknown): string | undefined {
  const driverError = (error as { driverError?: unknown })?.driverError ?? error;
  const code = (driverError as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** PostgreSQL's unique_violation. */
export function isUniqueViolation(error: unknown): boolean {
  return pgErrorCode(error) === '23505';
}

/** A value PostgreSQL cannot store: a NUL byte, an untranslatable character, too long, out of range. */
export function isUnstorableValue(error: unknown): boolean {
  return ['22021', '22P05', '22001', '22003'].includes(pgErrorCode(error) ?? '');
}
