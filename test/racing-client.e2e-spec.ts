import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { callsOrganization, exchange, installedApp, refresh } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const TRIALS = 20;
const MAX_JITTER_MS = 50;

interface StoredPair {
  token: string;
  refreshToken: string;
}

/**
 * Sentry's example integration (integration-platform-example, its Express backend) keeps one
 * pair per installation and has no lock: every request that finds the token expired refreshes
 * with the stored refresh token, and saves whatever 201 it gets when it arrives; an error
 * answer throws and saves nothing. The network delays each answer by 0-50 ms, so the answers
 * are saved in random order, and the last one saved is the pair it holds.
 */
async function raceAndStore(requests: (() => PromiseLike<{ status: number; body: StoredPair }>)[], stored: StoredPair): Promise<StoredPair> {
  let holding = stored;
  await Promise.all(requests.map(async (request) => {
    const response = await request();
    await sleep(Math.random() * MAX_JITTER_MS);
    if (response.status === 201) holding = { token: response.body.token, refreshToken: response.body.refreshToken };
  }));
  return holding;
}

let stranded = 0;
let trialsRun = 0;

describe('a client that races itself and stores answers in random order, like Sentry\'s example integration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    console.log(`reliability: racing client: ${stranded} of ${trialsRun} trials stranded (refreshes and double-submitted exchanges, 2 and 5 at once, ${TRIALS} trials each, 0-${MAX_JITTER_MS} ms jitter)`);
    await t.close();
  });

  /** The stored pair still works: its token calls the API and its refresh token refreshes. */
  async function stillWorks(world: Awaited<ReturnType<typeof installedApp>>, pair: StoredPair): Promise<boolean> {
    if ((await callsOrganization(t, world.organization.slug, pair.token)) !== 200) return false;
    return (await refresh(t, world.app, world.installation, pair.refreshToken)).status === 201;
  }

  for (const concurrent of [2, 5]) {
    it(`keeps a working pair after ${concurrent} concurrent refreshes, in ${TRIALS} of ${TRIALS} trials`, async () => {
      let strandedHere = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const world = await installedApp(t);
        const { app, installation } = world;
        const first = (await exchange(t, app, installation).expect(201)).body as StoredPair;
        const held = await raceAndStore(Array.from({ length: concurrent }, () => () => refresh(t, app, installation, first.refreshToken)), first);
        if (!(await stillWorks(world, held))) strandedHere++;
      }
      trialsRun += TRIALS;
      stranded += strandedHere;
      expect(strandedHere).toBe(0);
    }, 60_000);

    it(`keeps a working pair after the setup call is submitted ${concurrent} times at once, in ${TRIALS} of ${TRIALS} trials`, async () => {
      let strandedHere = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const world = await installedApp(t);
        const { app, installation } = world;
        const nothing = { token: '', refreshToken: '' };
        const held = await raceAndStore(Array.from({ length: concurrent }, () => () => exchange(t, app, installation)), nothing);
        if (held === nothing || !(await stillWorks(world, held))) strandedHere++;
      }
      trialsRun += TRIALS;
      stranded += strandedHere;
      expect(strandedHere).toBe(0);
    }, 60_000);
  }
});
