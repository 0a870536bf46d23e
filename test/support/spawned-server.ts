import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
  return spawnMain({ DATABASE_URL: schemaUrl(schema), SECRET_KEY: TEST_SECRET_KEY, ...env });
}

/** The server with exactly this environment (and PATH, HOME, a free PORT). */
export async function spawnMain(env: Record<string, string>, startMs = 20000): Promise<SpawnedServer> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['dist/src/main.js'], { env: baseEnv({ PORT: String(port), ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  const deadline = Date.now() + startMs;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, process: child, output: () => output, exited };
}

/** A built script (the CLI, or the server for a failed start) run to completion with this environment. */
export function runScript(script: string, args: string[], env: Record<string, string>, input = '') {
  return spawnSync(process.execPath, [script, ...args], { env: baseEnv(env), encoding: 'utf8', timeout: 30000, input });
}

function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME } = process.env;
  return { PATH, HOME, ...env } as NodeJS.ProcessEnv;
}
