// `--rows N`: the product's tables as a long-lived deployment has them. N installations (a
// grant is unique per installation) of 100 apps across N/100 organizations, each with its
// spent grant and the family that grant started: one token pair, a quarter of them rotated.
// Hashes are SHA-256 of per-row values under a per-run salt, so unique 64-hex values spread
// over the whole index, as real ones are. All in bulk SQL; then VACUUM ANALYZE and a
// CHECKPOINT, so that neither autovacuum nor a checkpoint falls inside the timed runs.
import { randomHex } from '../dist/src/common/crypto.js';

const APPS = 100;
const SCOPES = ['org:read', 'org:write'];

export async function seedGrowth(client, rows) {
  const salt = randomHex(16);
  const hash = (what) => `encode(sha256(convert_to($1 || ':${what}:' || i.id, 'UTF8')), 'hex')`;
  const family = `md5($1 || ':family:' || i.id)::uuid`;
  await client.query(`INSERT INTO organizations (slug, name) SELECT 'growth-' || g, 'Growth ' || g FROM generate_series(1, $1) g`, [Math.ceil(rows / APPS)]);
  await client.query(`INSERT INTO users (email, name, is_sentry_app) SELECT 'growth-app-' || g || '@proxy-user.sentry.io', 'growth-app-' || g, true FROM generate_series(1, $1) g`, [APPS]);
  await client.query(
    `INSERT INTO api_applications (client_id, client_secret_encrypted, name, owner_id)
     SELECT encode(sha256(convert_to($1 || ':client:' || u.id, 'UTF8')), 'hex'), 'unused', u.name, u.id FROM users u WHERE u.email LIKE 'growth-app-%'`,
    [salt],
  );
  await client.query(
    `INSERT INTO sentry_apps (uuid, slug, name, owner_organization_id, proxy_user_id, application_id, scopes, verify_install, status)
     SELECT gen_random_uuid(), a.name, a.name, (SELECT id FROM organizations WHERE slug = 'growth-1'), a.owner_id, a.id, $1, false, 'published'
       FROM api_applications a WHERE a.name LIKE 'growth-app-%'`,
    [SCOPES],
  );
  await client.query(
    `INSERT INTO sentry_app_installations (uuid, sentry_app_id, organization_id, status, date_created)
     SELECT gen_random_uuid(), sa.id, o.id, 'installed', now() - random() * interval '365 days'
       FROM organizations o CROSS JOIN sentry_apps sa WHERE o.slug LIKE 'growth-%' AND sa.slug LIKE 'growth-app-%' LIMIT $1`,
    [rows],
  );
  const growthInstallations = `sentry_app_installations i JOIN sentry_apps sa ON sa.id = i.sentry_app_id AND sa.slug LIKE 'growth-app-%'`;
  await client.query(
    `INSERT INTO api_grants (id, installation_id, code_hash, expires_at, exchanged_at, family_id, date_created)
     SELECT gen_random_uuid(), i.id, ${hash('code')}, i.date_created + interval '10 minutes', i.date_created + interval '5 seconds', ${family}, i.date_created
       FROM ${growthInstallations}`,
    [salt],
  );
  // Live for a day: neither expired nor collectable by the janitor while the bench runs.
  await client.query(
    `INSERT INTO api_tokens (installation_id, family_id, token_hash, refresh_token_hash, token_last_characters, scopes, expires_at, date_created, rotated_at, revoked_at)
     SELECT i.id, ${family}, ${hash('token')}, ${hash('refresh')}, right(${hash('token')}, 4), $2, now() + interval '1 day', now() - interval '1 hour',
            CASE WHEN i.id % 4 = 0 THEN now() - interval '1 minute' END, CASE WHEN i.id % 4 = 0 THEN now() - interval '1 minute' END
       FROM ${growthInstallations}`,
    [salt, SCOPES],
  );
  await client.query('VACUUM (ANALYZE) organizations, users, api_applications, sentry_apps, sentry_app_installations, api_grants, api_tokens');
  await client.query('CHECKPOINT');
}
