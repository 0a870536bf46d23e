import type { LoggerService } from '@nestjs/common';

/**
 * Collects everything the app logs, at every level. It is also a write sink, so a JSON
 * logger's destination stream (or a wrapped process.stdout) can be pointed at it.
 */
export class LogCapture implements LoggerService {
  private readonly chunks: string[] = [];

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }

  log(...args: unknown[]) { this.record('log', args); }
  error(...args: unknown[]) { this.record('error', args); }
  warn(...args: unknown[]) { this.record('warn', args); }
  debug(...args: unknown[]) { this.record('debug', args); }
  verbose(...args: unknown[]) { this.record('verbose', args); }
  fatal(...args: unknown[]) { this.record('fatal', args); }

  /** Also records what anything writes straight to stdout or stderr until the returned function is called. */
  tapProcessOutput(): () => void {
    const originals = [process.stdout.write, process.stderr.write] as const;
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
        this.write(chunk);
        return original(chunk, ...rest);
      }) as typeof stream.write;
    }
    return () => {
      process.stdout.write = originals[0];
      process.stderr.write = originals[1];
    };
  }

  text(): string {
    return this.chunks.join('\n');
  }

  private record(level: string, args: unknown[]): void {
    this.write(`${level} ${args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`);
  }
}
