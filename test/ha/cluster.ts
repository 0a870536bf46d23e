import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const SCRIPT = resolve('deploy/ha/cluster.sh');
const run = promisify(execFile);
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export type NodeName = 'n1' | 'n2';

interface Member {
  name: NodeName;
  role: string;
  state: string;
  timeline?: number;
}

/** deploy/ha/cluster.sh driven from a test: the same cluster an operator starts by hand. */
export class HaCluster {
  env: Record<string, string> = {};

  private constructor(
    readonly dir: string,
    readonly portBase: number,
  ) {}

  static async start(): Promise<HaCluster> {
    const parent = await mkdtemp(join(tmpdir(), 'authz-ha-'));
    await chmod(parent, 0o755); // the postgres account must reach the cluster directory inside
    const cluster = new HaCluster(join(parent, 'cluster'), await freePortBlock(8));
    try {
      await cluster.script(['start'], 180_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    cluster.env = Object.fromEntries(readFileSync(join(cluster.dir, 'cluster.env'), 'utf8').trim().split('\n').map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }));
    return cluster;
  }

  get url(): string {
    return this.env.DATABASE_URL!;
  }

  async script(args: string[], timeout = 60_000): Promise<string> {
    const { stdout } = await run('bash', [SCRIPT, ...args], { env: { ...process.env, HA_DIR: this.dir, HA_PORT_BASE: String(this.portBase) }, timeout });
    return stdout;
  }

  /** Both nodes' Patroni REST APIs; a dead node answers nothing. */
  private restPort(node: NodeName): string {
    return this.env[`${node.toUpperCase()}_REST_PORT`]!;
  }

  async rest(node: NodeName, path: string): Promise<{ status: number; body: any } | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.restPort(node)}${path}`, { signal: AbortSignal.timeout(1000) });
      return { status: response.status, body: await response.json().catch(() => undefined) };
    } catch {
      return undefined;
    }
  }

  async members(): Promise<Member[]> {
    for (const node of ['n1', 'n2'] as const) {
      const answer = await this.rest(node, '/cluster');
      if (answer?.status === 200) return answer.body.members;
    }
    return [];
  }

  async leader(): Promise<NodeName | undefined> {
    return (await this.members()).find((member) => member.role === 'leader')?.name;
  }

  /** Until `node` streams as the synchronous standby of a live leader: only then may it be promoted. */
  async waitForSyncStandby(node: NodeName, limitMs: number): Promise<Member> {
    const deadline = Date.now() + limitMs;
    while (Date.now() < deadline) {
      const members = await this.members();
      const standby = members.find((member) => member.name === node && member.role === 'sync_standby' && ['running', 'streaming'].includes(member.state));
      if (standby && members.some((member) => member.role === 'leader')) return standby;
      await sleep(250);
    }
    throw new Error(`${node} did not become the synchronous standby within ${limitMs} ms`);
  }

  crash(node: NodeName): Promise<string> {
    return this.script(['crash', node]);
  }

  rejoin(node: NodeName): Promise<string> {
    return this.script(['rejoin', node]);
  }

  /** Whether Patroni brought `node` back by rewinding it onto the new timeline (rather than cloning it afresh). */
  rewound(node: NodeName): boolean {
    return readFileSync(join(this.dir, node, 'patroni.log'), 'utf8').includes('pg_rewind exit code=0');
  }

  async stop(): Promise<void> {
    if (existsSync(this.dir)) await this.script(['stop'], 120_000);
    await rm(dirname(this.dir), { recursive: true, force: true });
  }
}

/** `count` consecutive loopback ports that are free now, above the ephemeral range's usual start. */
async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20000 + Math.floor(Math.random() * 600) * 10;
    const free = await Promise.all(Array.from({ length: count }, (_, offset) => portFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no block of free loopback ports');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}
