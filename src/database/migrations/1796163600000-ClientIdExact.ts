import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Hand-written (the generator drops and re-adds the column, losing every client id):
 * `character(64)` ignores trailing blanks when it compares, so a client id with spaces
 * appended matched its application. `varchar(64)` compares exactly, and the CHECK keeps
 * the column to what the server generates. The cache trigger names the column, so it is
 * dropped for the change and created again as it was. The hash columns (token_hash,
 * refresh_token_hash, code_hash) stay `character(64)`: they are only ever looked up by a
 * SHA-256 hex digest the server computes, which has no blanks to pad.
 */
export class ClientIdExact1796163600000 implements MigrationInterface {
    name = 'ClientIdExact1796163600000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "api_applications_cache_update" ON "api_applications"`);
        await queryRunner.query(`ALTER TABLE "api_applications" ALTER COLUMN "client_id" TYPE character varying(64)`);
        await queryRunner.query(`ALTER TABLE "api_applications" ADD CONSTRAINT "api_applications_client_id_check" CHECK ("client_id" ~ '^[0-9a-f]{64}$')`);
        await queryRunner.query(`CREATE TRIGGER "api_applications_cache_update" AFTER UPDATE OF "client_secret_encrypted", "client_id" ON "api_applications" FOR EACH ROW WHEN (OLD."client_secret_encrypted" IS DISTINCT FROM NEW."client_secret_encrypted" OR OLD."client_id" IS DISTINCT FROM NEW."client_id") EXECUTE FUNCTION "authz_token_cache_notify"('a', 'id')`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "api_applications_cache_update" ON "api_applications"`);
        await queryRunner.query(`ALTER TABLE "api_applications" DROP CONSTRAINT "api_applications_client_id_check"`);
        await queryRunner.query(`ALTER TABLE "api_applications" ALTER COLUMN "client_id" TYPE character(64)`);
        await queryRunner.query(`CREATE TRIGGER "api_applications_cache_update" AFTER UPDATE OF "client_secret_encrypted", "client_id" ON "api_applications" FOR EACH ROW WHEN (OLD."client_secret_encrypted" IS DISTINCT FROM NEW."client_secret_encrypted" OR OLD."client_id" IS DISTINCT FROM NEW."client_id") EXECUTE FUNCTION "authz_token_cache_notify"('a', 'id')`);
    }

}
