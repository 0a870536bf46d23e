import { MigrationInterface, QueryRunner } from "typeorm";

export class WebhookDeliveries1795929802980 implements MigrationInterface {
    name = 'WebhookDeliveries1795929802980'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "request_id" uuid NOT NULL, "sentry_app_id" bigint NOT NULL, "installation_id" bigint NOT NULL, "event_type" character varying(64) NOT NULL, "webhook_url" character varying(2048) NOT NULL, "payload" json NOT NULL, "grant_id" uuid, "status" character varying(16) NOT NULL DEFAULT 'retrying', "attempts" integer NOT NULL DEFAULT '0', "response_code" integer, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, "lease_id" uuid, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_d899f6440acc965c24da804ee97" UNIQUE ("request_id"), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "webhook_deliveries_sentry_app_id_idx" ON "webhook_deliveries"  ("sentry_app_id", "id") `);
        await queryRunner.query(`CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"  ("next_attempt_at") WHERE "status" = 'retrying'`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_6361ee0b40b9d2f1708f7114c84" FOREIGN KEY ("sentry_app_id") REFERENCES "sentry_apps"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_8e9bac19d9a9f98b834e922d46a" FOREIGN KEY ("installation_id") REFERENCES "sentry_app_installations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_8e9bac19d9a9f98b834e922d46a"`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_6361ee0b40b9d2f1708f7114c84"`);
        await queryRunner.query(`DROP INDEX "webhook_deliveries_due_idx"`);
        await queryRunner.query(`DROP INDEX "webhook_deliveries_sentry_app_id_idx"`);
        await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    }

}
