import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditLog1796161101350 implements MigrationInterface {
    name = 'AuditLog1796161101350'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_log_entries" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "organization_id" bigint NOT NULL, "event" character varying(64) NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" character varying(64) NOT NULL, "actor_name" character varying(254) NOT NULL, "ip_address" inet, "target_object" character varying(64) NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "date_created" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "audit_log_entries_actor_type_check" CHECK ("actor_type" IN ('user', 'sentry_app')), CONSTRAINT "PK_4f2fbddaca7c6531577e79177a4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "audit_log_entries_organization_id_idx" ON "audit_log_entries"  ("organization_id", "id") `);
        await queryRunner.query(`ALTER TABLE "audit_log_entries" ADD CONSTRAINT "FK_6044c83b3e767e553095ee000a2" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "audit_log_entries" DROP CONSTRAINT "FK_6044c83b3e767e553095ee000a2"`);
        await queryRunner.query(`DROP INDEX "audit_log_entries_organization_id_idx"`);
        await queryRunner.query(`DROP TABLE "audit_log_entries"`);
    }

}
