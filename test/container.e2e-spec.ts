import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';

// No container engine runs in CI, so these check what can be checked without one: the
// image's shape, and that every path it copies or runs exists (`npm test` builds first).
const dockerfile = readFileSync('Dockerfile', 'utf8');
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const stages = instructions.reduce<string[][]>((all, line) => (line.startsWith('FROM ') ? [...all, [line]] : (all.at(-1)!.push(line), all)), []);

describe('the Dockerfile', () => {
  it('builds in one stage and runs from another, on the Node line the tests use', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]![0]).toMatch(/^FROM node:20-bookworm-slim AS build$/);
    expect(stages[1]![0]).toBe('FROM node:20-bookworm-slim');
    expect(stages[0]).toContain('RUN npm run build');
  });

  it('installs only production dependencies in the image it runs, without their install scripts', () => {
    const runtime = stages[1]!.join('\n');
    expect(runtime).toMatch(/RUN npm ci --omit=dev [^\n]*--ignore-scripts/);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).not.toMatch(/^COPY src/m);
  });

  it('runs as the unprivileged node user, with a health check on the health route', () => {
    const runtime = stages[1]!;
    const user = runtime.findIndex((line) => line.startsWith('USER '));
    expect(runtime[user]).toBe('USER node');
    expect(runtime.findIndex((line) => line.startsWith('CMD '))).toBeGreaterThan(user);
    const healthcheck = runtime.find((line) => line.startsWith('HEALTHCHECK '));
    expect(healthcheck).toContain('/api/0/internal/health/');
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/src/main.js"]');
  });

  it('copies and runs only paths that exist', () => {
    for (const line of instructions.filter((candidate) => candidate.startsWith('COPY ') && !candidate.includes('--from'))) {
      for (const source of line.split(/\s+/).slice(1, -1)) expect(`${source} ${existsSync(source)}`).toBe(`${source} true`);
    }
    expect(existsSync('dist/src/main.js')).toBe(true);
    expect(readFileSync('.dockerignore', 'utf8').split('\n')).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git']));
  });
});

describe('compose.yaml', () => {
  const compose = readFileSync('compose.yaml', 'utf8');

  it('runs the app against its own PostgreSQL, and needs a SECRET_KEY from the operator', () => {
    expect(compose).toMatch(/^ {2}postgres:\n {4}image: postgres:16$/m);
    expect(compose).toMatch(/^ {2}app:\n {4}build: \.$/m);
    expect(compose).toContain('DATABASE_URL: postgres://authz:authz@postgres:5432/authz');
    expect(compose).toMatch(/SECRET_KEY: \$\{SECRET_KEY:\?/);
    expect(compose).toMatch(/condition: service_healthy/);
    expect(compose).toContain('"9000:9000"');
  });
});
