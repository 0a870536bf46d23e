import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Hand-written (TypeORM cannot generate triggers): every change that can make a cached
 * app token wrong notifies the `authz_token_cache` channel, whichever code path made it,
 * so each instance's cache evicts it (src/auth/token-invalidation.listener.ts). Payloads
 * carry a kind and a token hash or a row id, never a secret.
 */
export class TokenCacheInvalidation1795929733224 implements MigrationInterface {
    name = 'TokenCacheInvalidation1795929733224'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE FUNCTION "authz_token_cache_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('authz_token_cache', TG_ARGV[0] || ':' || (to_jsonb(OLD) ->> TG_ARGV[1]));
  RETURN NULL;
END
$$`);
        await queryRunner.query(`CREATE TRIGGER "api_tokens_cache_update" AFTER UPDATE OF "revoked_at", "rotated_at", "expires_at", "scopes", "token_hash", "installation_id" ON "api_tokens" FOR EACH ROW WHEN (OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at" OR OLD."rotated_at" IS DISTINCT FROM NEW."rotated_at" OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at" OR OLD."scopes" IS DISTINCT FROM NEW."scopes" OR OLD."token_hash" IS DISTINCT FROM NEW."token_hash" OR OLD."installation_id" IS DISTINCT FROM NEW."installation_id") EXECUTE FUNCTION "authz_token_cache_notify"('t', 'token_hash')`);
        await queryRunner.query(`CREATE TRIGGER "api_tokens_cache_delete" AFTER DELETE ON "api_tokens" FOR EACH ROW EXECUTE FUNCTION "authz_token_cache_notify"('t', 'token_hash')`);
        await queryRunner.query(`CREATE TRIGGER "sentry_app_installations_cache_update" AFTER UPDATE OF "date_deleted", "organization_id", "sentry_app_id" ON "sentry_app_installations" FOR EACH ROW WHEN (OLD."date_deleted" IS DISTINCT FROM NEW."date_deleted" OR OLD."organization_id" IS DISTINCT FROM NEW."organization_id" OR OLD."sentry_app_id" IS DISTINCT FROM NEW."sentry_app_id") EXECUTE FUNCTION "authz_token_cache_notify"('i', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "sentry_app_installations_cache_delete" AFTER DELETE ON "sentry_app_installations" FOR EACH ROW EXECUTE FUNCTION "authz_token_cache_notify"('i', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "api_applications_cache_update" AFTER UPDATE OF "client_secret_encrypted", "client_id" ON "api_applications" FOR EACH ROW WHEN (OLD."client_secret_encrypted" IS DISTINCT FROM NEW."client_secret_encrypted" OR OLD."client_id" IS DISTINCT FROM NEW."client_id") EXECUTE FUNCTION "authz_token_cache_notify"('a', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "api_applications_cache_delete" AFTER DELETE ON "api_applications" FOR EACH ROW EXECUTE FUNCTION "authz_token_cache_notify"('a', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "sentry_apps_cache_update" AFTER UPDATE OF "scopes", "proxy_user_id", "application_id" ON "sentry_apps" FOR EACH ROW WHEN (OLD."scopes" IS DISTINCT FROM NEW."scopes" OR OLD."proxy_user_id" IS DISTINCT FROM NEW."proxy_user_id" OR OLD."application_id" IS DISTINCT FROM NEW."application_id") EXECUTE FUNCTION "authz_token_cache_notify"('s', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "sentry_apps_cache_delete" AFTER DELETE ON "sentry_apps" FOR EACH ROW EXECUTE FUNCTION "authz_token_cache_notify"('s', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "organizations_cache_update" AFTER UPDATE OF "slug", "name" ON "organizations" FOR EACH ROW WHEN (OLD."slug" IS DISTINCT FROM NEW."slug" OR OLD."name" IS DISTINCT FROM NEW."name") EXECUTE FUNCTION "authz_token_cache_notify"('o', 'id')`);
        await queryRunner.query(`CREATE TRIGGER "organizations_cache_delete" AFTER DELETE ON "organizations" FOR EACH ROW EXECUTE FUNCTION "authz_token_cache_notify"('o', 'id')`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "organizations_cache_delete" ON "organizations"`);
        await queryRunner.query(`DROP TRIGGER "organizations_cache_update" ON "organizations"`);
        await queryRunner.query(`DROP TRIGGER "sentry_apps_cache_delete" ON "sentry_apps"`);
        await queryRunner.query(`DROP TRIGGER "sentry_apps_cache_update" ON "sentry_apps"`);
        await queryRunner.query(`DROP TRIGGER "api_applications_cache_delete" ON "api_applications"`);
        await queryRunner.query(`DROP TRIGGER "api_applications_cache_update" ON "api_applications"`);
        await queryRunner.query(`DROP TRIGGER "sentry_app_installations_cache_delete" ON "sentry_app_installations"`);
        await queryRunner.query(`DROP TRIGGER "sentry_app_installations_cache_update" ON "sentry_app_installations"`);
        await queryRunner.query(`DROP TRIGGER "api_tokens_cache_delete" ON "api_tokens"`);
        await queryRunner.query(`DROP TRIGGER "api_tokens_cache_update" ON "api_tokens"`);
        await queryRunner.query(`DROP FUNCTION "authz_token_cache_notify"()`);
    }

}
