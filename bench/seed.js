// Bulk fixtures for the benchmark, hashed exactly as the product hashes them (the
// compiled modules are imported, not re-implemented).
import { randomUUID } from 'node:crypto';
import { randomHex, SecretBox, sha256Hex } from '../dist/src/common/crypto.js';

const APPS = 8;
const BATCH = 10000;
const SCOPES = ['org:read', 'org:write'];
const DAY_MS = 24 * 3600 * 1000;

/**
 * Seeds one database with apps, one installation per (app, organization), an unused code on
 * `codes` installations and a live token pair per refresh and Bearer fixture. Returns the
 * request material: `{ exchange, refresh, bearer }`.
 */
export async function seed(client, { secretKey, codes: codeCount, refreshes: refreshCount, bearerTokens }) {
  const box = new SecretBox(secretKey);
  const organizations = Math.ceil(Math.max(codeCount, refreshCount, bearerTokens) / APPS);

  await client.query(`INSERT INTO organizations (slug, name) SELECT 'bench-' || g, 'Bench ' || g FROM generate_series(1, $1) g`, [organizations]);

  const apps = new Map();
  for (let n = 1; n <= APPS; n++) {
    const { rows: [proxy] } = await client.query(`INSERT INTO users (email, name, is_sentry_app) VALUES ($1, $1, true) RETURNING id`, [`bench-app-${n}@proxy-user.sentry.io`]);
    const clientId = randomHex(32);
    const clientSecret = randomHex(32);
    const { rows: [application] } = await client.query(
      'INSERT INTO api_applications (client_id, client_secret_encrypted, name, owner_id) VALUES ($1, $2, $3, $4) RETURNING id',
      [clientId, box.encrypt(clientSecret), `bench-app-${n}`, proxy.id],
    );
    const { rows: [app] } = await client.query(
      `INSERT INTO sentry_apps (uuid, slug, name, owner_organization_id, proxy_user_id, application_id, scopes, verify_install, status)
       SELECT $1, $2, $2, o.id, $3, $4, $5, false, 'published' FROM organizations o WHERE o.slug = 'bench-1' RETURNING id`,
      [randomUUID(), `bench-app-${n}`, proxy.id, application.id, SCOPES],
    );
    apps.set(app.id, { clientId, clientSecret });
  }

  const { rows: installations } = await client.query(
    `INSERT INTO sentry_app_installations (uuid, sentry_app_id, organization_id, status)
     SELECT gen_random_uuid(), sa.id, o.id, 'installed' FROM sentry_apps sa CROSS JOIN organizations o
      WHERE sa.slug LIKE 'bench-app-%' AND o.slug LIKE 'bench-%'
     RETURNING id, uuid, sentry_app_id, (SELECT slug FROM organizations WHERE id = organization_id) AS organization_slug`,
  );
  const credentials = (installation) => ({ uuid: installation.uuid, ...apps.get(installation.sentry_app_id) });

  const expiresAt = new Date(Date.now() + DAY_MS);
  const codes = [];
  const grants = installations.slice(0, codeCount).map((installation) => {
    const id = randomUUID();
    const code = box.grantCode(id);
    codes.push({ ...credentials(installation), code });
    return [id, installation.id, sha256Hex(code)];
  });
  await batched(grants, (rows) => client.query(
    `INSERT INTO api_grants (id, installation_id, code_hash, expires_at)
     SELECT * , $4::timestamptz FROM unnest($1::uuid[], $2::bigint[], $3::char(64)[])`,
    [...columns(rows, 3), expiresAt],
  ));

  // Refresh fixtures, then the live tokens the Bearer scenario reads with.
  const refreshes = [];
  const bearers = [];
  const pairs = [];
  for (let n = 0; n < refreshCount + bearerTokens; n++) {
    const installation = installations[n % installations.length];
    const token = randomHex(32);
    const refreshToken = randomHex(32);
    pairs.push([installation.id, randomUUID(), sha256Hex(token), sha256Hex(refreshToken), token.slice(-4)]);
    if (n < refreshCount) refreshes.push({ ...credentials(installation), refreshToken });
    else bearers.push({ token, slug: installation.organization_slug });
  }
  await batched(pairs, (rows) => client.query(
    `INSERT INTO api_tokens (installation_id, family_id, token_hash, refresh_token_hash, token_last_characters, scopes, expires_at, date_created)
     SELECT i, f, t, r, l, $6::text[], $7::timestamptz, now() FROM unnest($1::bigint[], $2::uuid[], $3::char(64)[], $4::char(64)[], $5::text[]) AS u(i, f, t, r, l)`,
    [...columns(rows, 5), SCOPES, expiresAt],
  ));
  await client.query('ANALYZE');
  return { exchange: codes, refresh: refreshes, bearer: bearers };
}

async function batched(rows, insert) {
  for (let start = 0; start < rows.length; start += BATCH) await insert(rows.slice(start, start + BATCH));
}

function columns(rows, width) {
  return Array.from({ length: width }, (_, column) => rows.map((row) => row[column]));
}
