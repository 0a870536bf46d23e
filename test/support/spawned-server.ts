import { spawn, type ChildProcess } from 'node:child_process';
import { freeLoopbackPort } from '../../src/database/embedded-postgres.js';
import { TEST_SECRET_KEY } from './test-app.js';

/** The test database's URL, narrowed to one schema (pg passes `options` to the server). */
export function schemaUrl(schema: string, url = process.env.DATABASE_URL!): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface SpawnedServer {
  port: number;
  process: ChildProcess;
  /** Everything the process wrote, stdout and stderr interleaved. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** `node dist/src/main.js` as an operator runs it (`npm test` builds first), ready once it listens. */
export async function spawnServer(schema: string, env: Record<string, string> = {}): Promise<SpawnedServer> {
  const port = await freeLoopbackPort();
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { PATH, HOME, DATABASE_URL: schemaUrl(schema), SECRET_KEY: TEST_SECRET_KEY, PORT: String(port), ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  const deadline = Date.now() + 20000;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, process: child, output: () => output, exited };
}
