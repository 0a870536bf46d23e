// The peer: node-oidc-provider's token endpoint on the bench's PostgreSQL through the bench's
// adapter, configured as close to the product as it allows (opaque tokens, refresh rotation,
// client_secret_post, 8-hour access tokens, the same pool size, no request logging). Before it
// listens it seeds its codes and refresh tokens through its own models and writes them to
// PEER_FIXTURES. Env: DATABASE_URL, PORT, DATABASE_POOL_SIZE, PEER_FIXTURES, PEER_CODES,
// PEER_REFRESHES.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import Provider from 'oidc-provider';
import { createPool, postgresAdapter, SCHEMA } from './oidc-provider-adapter.js';

const CLIENTS = 8;
const SCOPE = 'org:read org:write';
const REDIRECT_URI = 'https://integration.example/callback';
const port = Number(process.env.PORT);
const pool = createPool(process.env.DATABASE_URL, Number(process.env.DATABASE_POOL_SIZE ?? 10));
await pool.query(SCHEMA);

const clients = Array.from({ length: CLIENTS }, (_, n) => ({
  client_id: `bench-peer-${n + 1}`,
  client_secret: randomBytes(32).toString('hex'),
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_post',
}));
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter: postgresAdapter(pool),
  clients,
  jwks: { keys: [{ ...signingKey, kid: 'bench', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', ...SCOPE.split(' ')],
  // The product's lifetimes: 8-hour access tokens, refresh tokens that live until rotated.
  ttl: { AccessToken: 28800, AuthorizationCode: 3600, Grant: 14 * 86400, RefreshToken: 14 * 86400, Session: 86400, Interaction: 3600 },
  rotateRefreshToken: true,
  issueRefreshToken: async () => true,
  expiresWithSession: async () => false,
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  features: { devInteractions: { enabled: false } },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`peer server_error: ${error.stack}\n`));

/** A grant and a code or refresh token for each fixture, saved through the provider's models (DATABASE_POOL_SIZE at a time). */
async function seed(kind, count) {
  const fixtures = new Array(count);
  const registered = await Promise.all(clients.map(async (client) => ({ client, model: await provider.Client.find(client.client_id) })));
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const { client, model } = registered[index % registered.length];
      const accountId = `account-${index}`;
      const grant = new provider.Grant({ accountId, clientId: client.client_id });
      grant.addOIDCScope(SCOPE);
      const grantId = await grant.save();
      const common = { accountId, client: model, grantId, scope: SCOPE };
      const value = kind === 'exchange'
        ? await new provider.AuthorizationCode({ ...common, redirectUri: REDIRECT_URI }).save()
        : await new provider.RefreshToken({ ...common, gty: 'authorization_code', rotations: 0 }).save();
      fixtures[index] = { clientId: client.client_id, clientSecret: client.client_secret, [kind === 'exchange' ? 'code' : 'refreshToken']: value };
    }
  };
  await Promise.all(Array.from({ length: Number(process.env.DATABASE_POOL_SIZE ?? 10) }, worker));
  return fixtures;
}

const fixtures = { exchange: await seed('exchange', Number(process.env.PEER_CODES ?? 0)), refresh: await seed('refresh', Number(process.env.PEER_REFRESHES ?? 0)) };
await pool.query('ANALYZE');
await writeFile(process.env.PEER_FIXTURES, JSON.stringify(fixtures));

const server = provider.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void pool.end().finally(() => process.exit(0));
});
