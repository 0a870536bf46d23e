import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signIn } from './support/console.js';
import { bearer } from './support/factories.js';
import { runScript as run, schemaUrl } from './support/spawned-server.js';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from './support/test-app.js';

// `npm test` builds first, so the CLI runs exactly as an operator runs it.
describe('the CLI', () => {
  let t: TestApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    env = { DATABASE_URL: schemaUrl(t.schema), SECRET_KEY: TEST_SECRET_KEY };
  });
  afterAll(() => t.close());

  it('createuser prints one JSON line with a working personal token', async () => {
    const result = run('dist/src/cli.js', ['createuser', '--email', 'Ops@Example.com', '--name', 'Ops', '--superuser'], env);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0]!);
    expect(created).toEqual({ id: expect.any(String), email: 'ops@example.com', token: expect.stringMatching(/^sntryu_[0-9a-f]{64}$/) });
    const me = await t.http().get('/api/0/users/me/').set(bearer(created.token)).expect(200);
    expect(me.body).toMatchObject({ email: 'ops@example.com', name: 'Ops', isSuperuser: true });
  });

  it('createuser --password-stdin reads the console password from standard input, never from the arguments', async () => {
    const result = run('dist/src/cli.js', ['createuser', '--email', 'console@example.com', '--password-stdin'], env, 'a passphrase from stdin\nignored line\n');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('passphrase');
    await signIn(t, { id: '', email: 'console@example.com', token: '' }, 'a passphrase from stdin');
    const short = run('dist/src/cli.js', ['createuser', '--email', 'short@example.com', '--password-stdin'], env, 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('must be 8 to 256 characters');
    expect(run('dist/src/cli.js', ['createuser', '--email', 'x@example.com', '--password', 'on-the-command-line'], env).status).toBe(2);
  });

  it('exits 1 when the command fails, 2 on bad usage', () => {
    run('dist/src/cli.js', ['createuser', '--email', 'twice@example.com'], env);
    const duplicate = run('dist/src/cli.js', ['createuser', '--email', 'twice@example.com'], env);
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    expect(run('dist/src/cli.js', ['createuser'], env).status).toBe(2);
    expect(run('dist/src/cli.js', ['frobnicate'], env).status).toBe(2);
    const help = run('dist/src/cli.js', ['help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('createuser --email EMAIL');
  });

  it('explains every command, and each one on its own, without touching a database', () => {
    for (const args of [['help'], ['-h']]) {
      const help = run('dist/src/cli.js', args, {});
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('createuser --email EMAIL [--name NAME] [--superuser]');
      expect(help.stdout).toContain('migrate\n');
      expect(help.stdout).toContain('Exit codes: 0 success, 1 the command failed, 2 bad usage or configuration.');
    }
    for (const args of [['help', 'createuser'], ['createuser', '--email', 'x@example.com', '--help']]) {
      const help = run('dist/src/cli.js', args, {});
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm run cli -- createuser --email EMAIL/);
      expect(help.stdout).not.toContain('migrate');
    }
    const bare = run('dist/src/cli.js', [], {});
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain('Commands:');
    const unknownTopic = run('dist/src/cli.js', ['help', 'frobnicate'], {});
    expect(unknownTopic.status).toBe(2);
    expect(unknownTopic.stderr).toContain('Unknown command "frobnicate".');
  });

  it('migrate lists the applied migrations', () => {
    const result = run('dist/src/cli.js', ['migrate'], env);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).migrations.length).toBeGreaterThan(0);
  });

  it('janitor runs one pass and prints what it deleted', () => {
    const result = run('dist/src/cli.js', ['janitor'], env);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ skipped: false, tokens: expect.any(Number), grants: expect.any(Number), jwtIds: expect.any(Number), webhookDeliveries: expect.any(Number), sealedAnswers: expect.any(Number), sessions: expect.any(Number), passwordLinks: expect.any(Number) });
  });

  it('refuses to start on an invalid setting and names the variable', () => {
    const noKey = run('dist/src/cli.js', ['migrate'], { DATABASE_URL: env.DATABASE_URL! });
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toContain('SECRET_KEY is required when DATABASE_URL is set');
    const badPort = run('dist/src/main.js', [], { ...env, PORT: 'eighty' });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('PORT');
  });
});
