import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCluster, startPostmaster } from './postgres-process.js';

// Node reports a program it cannot execute as an 'error' event on the child, which crashes the
// process when nobody listens: start-up must turn it into a rejection the operator can read.
describe('PostgreSQL programs that cannot be executed', () => {
  let dir: string;
  let binDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authz-noexec-'));
    binDir = join(dir, 'bin');
    mkdirSync(binDir);
    for (const program of ['initdb', 'postgres']) writeFileSync(join(binDir, program), '#!/bin/sh\n', { mode: 0o644 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('rejects initdb with the spawn error', async () => {
    await expect(initCluster({ binDir, pgDir: join(dir, 'pg') }, 'secret')).rejects.toThrow(/initdb failed: spawn .*initdb EACCES/);
  });

  it('rejects the server start with the spawn error', async () => {
    await expect(startPostmaster({ binDir, pgDir: join(dir, 'pg') }, 1, () => undefined)).rejects.toThrow(/spawn .*postgres EACCES/);
  });
});
