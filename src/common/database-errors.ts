/** PostgreSQL's unique_violation, as TypeORM surfaces it. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } })?.driverError ?? error;
  return (driverError as { code?: string })?.code === '23505';
}
