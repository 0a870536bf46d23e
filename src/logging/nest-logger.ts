import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/**
 * Nest's own logs (start-up, the exception filter's 500s, services' `new Logger(...)`) as pino
 * JSON lines: `Logger.log(message, context)` becomes `{"context": …, "msg": …}`, an Error
 * becomes `err`, and Nest's `error(message, stack, context)` an `err` with that stack.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    // Nest passes the context last: Logger.log(message, context), Logger.error(message, stack, context).
    const rest = params.length > 0 && typeof params.at(-1) === 'string' ? params.slice(0, -1) : params;
    if (rest !== params) fields.context = params.at(-1);
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...extra } = message as { msg?: unknown };
      this.logger[level](Object.assign(fields, extra), msg === undefined ? undefined : String(msg));
    } else if (level === 'error' && typeof rest[0] === 'string' && /\n\s+at /.test(rest[0])) {
      const err = new Error(String(message));
      err.stack = rest[0];
      fields.err = err;
      this.logger[level](fields, String(message));
    } else {
      this.logger[level](fields, String(message));
    }
  }
}

/**
 * The error line of a request that failed unexpectedly: its id (so it joins that request's
 * own line), the error's name and message, and its stack. Only those: an error's other
 * fields (a failed query's parameters) stay out of the logs.
 */
export function failureLine(reqId: string, error: Error): { msg: string; reqId: string; err: Error } {
  const err = new Error(error.message);
  err.name = error.name;
  err.stack = error.stack;
  return { msg: `request ${reqId} failed: ${error.name}: ${error.message}`, reqId, err };
}
