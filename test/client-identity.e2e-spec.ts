import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TokenEndpointCache } from '../src/auth/token-cache.service.js';
import { TokenInvalidationListener } from '../src/auth/token-invalidation.listener.js';
import { randomHex, SecretBox } from '../src/common/crypto.js';
import { ApiApplicationsService } from '../src/sentry-apps/apps/api-applications.service.js';
import { TokenRateLimiter } from '../src/sentry-apps/authorizations/token-rate-limiter.service.js';
import { JWT_BEARER_GRANT } from '../src/sentry-apps/authorizations/strategies/client-jwt.authenticator.js';
import { exchange, installedApp, signClientJwt, tokenRequest, type TestSentryApp } from './support/factories.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const INVALID_CLIENT = { detail: 'Invalid Client ID / Secret pair', error: 'invalid_client' };

/** The shapes a client id takes in an attack: padded, re-cased, cut, lengthened, dressed up. */
const disguised = (id: string, { inHeader = false } = {}) => [
  `${id} `, `${id}${' '.repeat(inHeader ? 1_000 : 60_000)}`, ` ${id}`, `${id}\t`, `${id}\n`, id.toUpperCase(), id.replace(/[a-f]/, (letter) => letter.toUpperCase()),
  id.slice(1), `${id}0`, `${id}${id}`, `"${id}"`, `${id}\u00a0`, `${id}\u200b`, '', 'f'.repeat(63),
];

describe('client identity: exactly the stored 64 lowercase hex, checked before any lookup', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** Counts what authenticating costs: client reads from the database, and secret decryptions. */
  function meter() {
    const query = jest.spyOn(t.dataSource, 'query');
    const decrypt = jest.spyOn(t.app.get(SecretBox, { strict: false }), 'decrypt');
    return () => ({ lookups: query.mock.calls.filter(([sql]) => String(sql).includes('FROM api_applications')).length, decryptions: decrypt.mock.calls.length });
  }

  /** Everything a request could have left in memory: the client cache and both limiters. */
  const held = () => ({ cache: t.app.get(TokenEndpointCache).stats(), limiter: t.app.get(TokenRateLimiter).stats() });

  it('answers a disguised client id 401 invalid_client, touching neither database, cache nor limiter', async () => {
    const { app, installation } = await installedApp(t);
    const before = held();
    const cost = meter();
    for (const clientId of disguised(app.clientId)) {
      const body = { client_id: clientId, client_secret: app.clientSecret, grant_type: 'authorization_code', code: installation.code };
      const asJson = await tokenRequest(t, installation.uuid).send(body).expect(401);
      expect(asJson.body).toEqual(INVALID_CLIENT);
    }
    for (const clientId of disguised(app.clientId, { inHeader: true })) {
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${app.clientSecret}`).toString('base64')}`;
      const asBasic = await tokenRequest(t, installation.uuid).set('Authorization', basic).type('form').send('grant_type=authorization_code&code=x').expect(401);
      expect(asBasic.headers['www-authenticate']).toMatch(/^Basic/);
    }
    expect(cost()).toEqual({ lookups: 0, decryptions: 0 });
    expect(held()).toEqual(before);
    await exchange(t, app, installation).expect(201);
  });

  it('answers a manual refresh whose iss is disguised "Could not validate JWT", without a lookup', async () => {
    const { app, installation } = await installedApp(t);
    await exchange(t, app, installation).expect(201);
    const cost = meter();
    for (const issuer of disguised(app.clientId, { inHeader: true })) {
      const response = await tokenRequest(t, installation.uuid).set('Authorization', `Bearer ${await signClientJwt({ ...app, clientId: issuer })}`).send({ grant_type: JWT_BEARER_GRANT }).expect(401);
      expect(response.body.detail).toBe('Could not validate JWT');
    }
    expect(cost()).toEqual({ lookups: 0, decryptions: 0 });
  });

  it('stores client ids in a column that compares exactly and holds nothing but 64 lowercase hex', async () => {
    const { app } = await installedApp(t);
    const matches = async (value: string) => (await t.dataSource.query('SELECT 1 FROM api_applications WHERE client_id = $1', [value])).length;
    expect(await matches(app.clientId)).toBe(1);
    expect(await matches(`${app.clientId}   `)).toBe(0);
    const [{ owner_id: ownerId }] = await t.dataSource.query('SELECT owner_id FROM api_applications WHERE client_id = $1', [app.clientId]);
    for (const clientId of [randomHex(32).toUpperCase(), `${randomHex(31)}  `, randomHex(31)]) {
      await expect(t.dataSource.query("INSERT INTO api_applications (client_id, client_secret_encrypted, owner_id) VALUES ($1, 'x', $2)", [clientId, ownerId])).rejects.toThrow(/client_id/);
    }
  });

  describe('an unknown id costs what a known one does', () => {
    /** Authenticates twice (a cold and a warm cache) and reports what each attempt cost. */
    async function costOf(attempt: () => Promise<unknown>) {
      const costs = [];
      for (let round = 0; round < 2; round += 1) {
        // The fixtures' own writes hold the cache until this instance has heard them back.
        await t.app.get(TokenInvalidationListener).caughtUp();
        const cost = meter();
        await attempt();
        costs.push(cost());
        jest.restoreAllMocks();
      }
      return costs;
    }

    const wrongSecret = (app: TestSentryApp, uuid: string, clientId = app.clientId) =>
      tokenRequest(t, uuid).send({ client_id: clientId, client_secret: randomHex(32), grant_type: 'authorization_code', code: 'x' }).expect(401);

    it('for client_id and client_secret: one lookup and one decryption when cold, neither when warm', async () => {
      const { app, installation } = await installedApp(t);
      const known = await costOf(() => wrongSecret(app, installation.uuid));
      const unknownId = randomHex(32);
      const unknown = await costOf(() => wrongSecret(app, installation.uuid, unknownId));
      expect(known).toEqual([{ lookups: 1, decryptions: 1 }, { lookups: 0, decryptions: 0 }]);
      expect(unknown).toEqual(known);
    });

    it('for a manual-refresh JWT: the same lookup and decryption for an unknown issuer as for a bad signature', async () => {
      const { app, installation } = await installedApp(t);
      const manualRefresh = async (issuer: string, secret: string) => {
        const jwt = await signClientJwt({ ...app, clientId: issuer }, {}, { secret });
        return tokenRequest(t, installation.uuid).set('Authorization', `Bearer ${jwt}`).send({ grant_type: JWT_BEARER_GRANT }).expect(401);
      };
      const badSignature = await costOf(() => manualRefresh(app.clientId, randomHex(32)));
      expect(badSignature).toEqual([{ lookups: 1, decryptions: 2 }, { lookups: 0, decryptions: 1 }]);
      const unknownIssuer = randomHex(32);
      expect(await costOf(() => manualRefresh(unknownIssuer, randomHex(32)))).toEqual(badSignature);
    });

    it('and takes as long: medians of interleaved samples agree within a generous bound', async () => {
      const { app } = await installedApp(t);
      const applications = t.app.get(ApiApplicationsService);
      const unknownId = randomHex(32);
      const samples: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
      for (let round = 0; round < 400; round += 1) {
        for (const [kind, clientId] of (round % 2 ? [['known', app.clientId], ['unknown', unknownId]] : [['unknown', unknownId], ['known', app.clientId]]) as ['known' | 'unknown', string][]) {
          const started = process.hrtime.bigint();
          expect(await applications.verify(clientId, randomHex(32))).toBeNull();
          if (round >= 20) samples[kind].push(Number(process.hrtime.bigint() - started) / 1000);
        }
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const [known, unknown] = [median(samples.known), median(samples.unknown)];
      console.log(`reliability: wrong secret for a known client id ${known.toFixed(0)} µs, for an unknown one ${unknown.toFixed(0)} µs (medians of ${samples.known.length} interleaved samples each)`);
      // A database round trip on one path and not the other would be several times the whole; noise is not.
      expect(unknown).toBeLessThan(known * 2 + 50);
      expect(known).toBeLessThan(unknown * 2 + 50);
    });
  });
});
