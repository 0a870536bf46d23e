// A PostgreSQL adapter for node-oidc-provider (its documented adapter interface: upsert, find,
// findByUserCode, findByUid, consume, destroy, revokeByGrantId), in the shape of the community
// SQL adapters: one table, the model's payload as jsonb, its expiry, and indexed columns for the
// grantId, userCode and uid look-ups. Every method is one statement on a shared pg.Pool.
import pg from 'pg';

const TABLE = 'oidc_models';

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${TABLE} (
    id text NOT NULL,
    type text NOT NULL,
    payload jsonb NOT NULL,
    grant_id text,
    user_code text,
    uid text,
    expires_at timestamptz,
    consumed_at timestamptz,
    PRIMARY KEY (id, type)
  );
  CREATE INDEX IF NOT EXISTS ${TABLE}_grant_id_idx ON ${TABLE} (grant_id);
  CREATE INDEX IF NOT EXISTS ${TABLE}_user_code_idx ON ${TABLE} (user_code);
  CREATE INDEX IF NOT EXISTS ${TABLE}_uid_idx ON ${TABLE} (uid);
  CREATE INDEX IF NOT EXISTS ${TABLE}_expires_at_idx ON ${TABLE} (expires_at)`;

// The models whose rows belong to a grant (revokeByGrantId removes them).
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

const FOUND = `SELECT payload, consumed_at IS NOT NULL AS consumed FROM ${TABLE}
                WHERE type = $1 AND %s AND (expires_at IS NULL OR expires_at > now())`;

/** The adapter class oidc-provider instantiates once per model name, all on one pool. */
export function postgresAdapter(pool) {
  return class PostgresAdapter {
    constructor(name) {
      this.name = name;
    }

    async upsert(id, payload, expiresIn) {
      await pool.query(
        `INSERT INTO ${TABLE} (id, type, payload, grant_id, user_code, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
         ON CONFLICT (id, type) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
        [id, this.name, payload, GRANTABLE.has(this.name) ? (payload.grantId ?? null) : null, payload.userCode ?? null, payload.uid ?? null, expiresIn ?? null],
      );
    }

    find(id) {
      return this.#findWhere('id = $2', id);
    }

    findByUserCode(userCode) {
      return this.#findWhere('user_code = $2', userCode);
    }

    findByUid(uid) {
      return this.#findWhere('uid = $2', uid);
    }

    async consume(id) {
      await pool.query(`UPDATE ${TABLE} SET consumed_at = now() WHERE id = $1 AND type = $2`, [id, this.name]);
    }

    async destroy(id) {
      await pool.query(`DELETE FROM ${TABLE} WHERE id = $1 AND type = $2`, [id, this.name]);
    }

    async revokeByGrantId(grantId) {
      await pool.query(`DELETE FROM ${TABLE} WHERE grant_id = $1`, [grantId]);
    }

    async #findWhere(condition, value) {
      const { rows: [row] } = await pool.query(FOUND.replace('%s', condition), [this.name, value]);
      if (!row) return undefined;
      return row.consumed ? { ...row.payload, consumed: true } : row.payload;
    }
  };
}

export function createPool(url, size) {
  const pool = new pg.Pool({ connectionString: url, max: size });
  pool.on('error', () => undefined); // an idle connection ended (the bench ends them to read PostgreSQL's counters)
  return pool;
}
