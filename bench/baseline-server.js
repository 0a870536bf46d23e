// The baseline: bare node:http + pg doing the minimum SQL for the product's answers on the
// benchmarked routes, on the same database with the same pool size and response shapes.
// Env: DATABASE_URL, SECRET_KEY, PORT, DATABASE_POOL_SIZE.
import { createServer } from 'node:http';
import pg from 'pg';
import { randomHex, SecretBox, safeEqual, sha256Hex } from '../dist/src/common/crypto.js';

const box = new SecretBox(process.env.SECRET_KEY);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
pool.on('error', () => undefined); // an idle connection ended (the bench ends them to read PostgreSQL's counters)
const TOKEN_TTL_MS = 28800 * 1000;
const ORGANIZATION = /^\/api\/0\/organizations\/([^/]+)\/?$/;
const TOKEN = /^\/api\/0\/sentry-app-installations\/([0-9a-f-]{36})\/authorizations\/?$/;

// (a) A SHA-256 hash plus one indexed lookup of token → installation → organization.
const BEARER_SQL = `
  SELECT o.id, o.slug, o.name, o.date_created, t.scopes, t.expires_at
    FROM api_tokens t
    JOIN sentry_app_installations i ON i.id = t.installation_id AND i.date_deleted IS NULL
    JOIN organizations o ON o.id = i.organization_id
   WHERE t.token_hash = $1 AND t.revoked_at IS NULL`;
const CLIENT_SQL = `
  SELECT a.client_secret_encrypted, i.id AS installation_id, sa.scopes
    FROM api_applications a
    JOIN sentry_apps sa ON sa.application_id = a.id
    JOIN sentry_app_installations i ON i.sentry_app_id = sa.id AND i.uuid = $2 AND i.date_deleted IS NULL
   WHERE a.client_id = $1`;
// (b) One transaction (a single statement) that consumes the grant and inserts the token.
const INSERT_PAIR = `
  INSERT INTO api_tokens (installation_id, family_id, parent_id, token_hash, refresh_token_hash, token_last_characters, scopes, expires_at, date_created)
  SELECT installation_id, family_id, parent_id, $3, $4, $5, $6, $7, $8 FROM consumed RETURNING id`;
const EXCHANGE_SQL = `
  WITH consumed AS (
    UPDATE api_grants SET exchanged_at = $8, family_id = gen_random_uuid()
     WHERE code_hash = $1 AND installation_id = $2 AND exchanged_at IS NULL AND expires_at > $8
    RETURNING installation_id, family_id, NULL::bigint AS parent_id)
  ${INSERT_PAIR}`;
const REFRESH_SQL = `
  WITH consumed AS (
    UPDATE api_tokens SET rotated_at = $8, revoked_at = $8
     WHERE refresh_token_hash = $1 AND installation_id = $2 AND rotated_at IS NULL AND revoked_at IS NULL
    RETURNING installation_id, family_id, id AS parent_id)
  ${INSERT_PAIR}`;

function send(response, status, body, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

async function organization(request, response, slug) {
  const [scheme, token] = (request.headers.authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) return send(response, 401, { detail: 'Authentication credentials were not provided.' });
  const { rows: [row] } = await pool.query(BEARER_SQL, [sha256Hex(token)]);
  if (!row) return send(response, 401, { detail: 'Invalid token' });
  if (row.expires_at.getTime() <= Date.now()) return send(response, 401, { detail: 'Token expired' });
  if (row.slug !== slug) return send(response, 403, { detail: 'You do not have access to this organization.' });
  if (!row.scopes.some((scope) => scope === 'org:read' || scope === 'org:write' || scope === 'org:admin')) return send(response, 403, { detail: 'You do not have permission to perform this action.' });
  send(response, 200, { id: row.id, slug: row.slug, name: row.name, dateCreated: row.date_created });
}

async function token(body, form, response, uuid) {
  const { rows: [client] } = await pool.query(CLIENT_SQL, [body.client_id, uuid]);
  if (!client || !safeEqual(box.decrypt(client.client_secret_encrypted), String(body.client_secret))) {
    return send(response, 401, { detail: 'Invalid Client ID / Secret pair', error: 'invalid_client' });
  }
  const exchange = body.grant_type === 'authorization_code';
  if (!exchange && body.grant_type !== 'refresh_token') return send(response, 403, { detail: 'Invalid grant_type', error: 'unsupported_grant_type' });
  const token = randomHex(32);
  const refreshToken = randomHex(32);
  const dateCreated = new Date();
  const expiresAt = new Date(dateCreated.getTime() + TOKEN_TTL_MS);
  const presented = sha256Hex(String(exchange ? body.code : body.refresh_token));
  const { rows: [pair] } = await pool.query(exchange ? EXCHANGE_SQL : REFRESH_SQL, [
    presented, client.installation_id, sha256Hex(token), sha256Hex(refreshToken), token.slice(-4), client.scopes, expiresAt, dateCreated,
  ]);
  if (!pair) return send(response, form ? 400 : 403, { detail: 'Invalid grant', error: 'invalid_grant' });
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
  if (form) {
    return send(response, 200, { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_MS / 1000, refresh_token: refreshToken, scope: client.scopes.join(' ') }, noStore);
  }
  send(response, 201, {
    id: pair.id, token, refreshToken, expiresAt, dateCreated, state: typeof body.state === 'string' ? body.state : null,
    application: null, scopes: client.scopes, tokenLastCharacters: token.slice(-4),
  }, noStore);
}

const server = createServer((request, response) => {
  const url = request.url ?? '';
  const fail = (error) => {
    process.stderr.write(`baseline: ${error.message}\n`);
    if (!response.headersSent) send(response, 500, { detail: 'Internal error' });
  };
  if (request.method === 'GET' && ORGANIZATION.test(url)) return void organization(request, response, ORGANIZATION.exec(url)[1]).catch(fail);
  if (request.method === 'POST' && TOKEN.test(url)) {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      // RFC 6749 clients send forms (the bench does); Sentry's send JSON.
      const form = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      let body;
      try {
        body = form ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
      } catch {
        return send(response, 401, { detail: 'Invalid request', error: 'invalid_request' });
      }
      token(body, form, response, TOKEN.exec(url)[1]).catch(fail);
    });
    return;
  }
  send(response, 404, { detail: 'Not found' });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void pool.end().finally(() => process.exit(0));
});
