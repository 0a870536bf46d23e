import { MigrationInterface, QueryRunner } from "typeorm";

export class SentryAppFields1796162941303 implements MigrationInterface {
    name = 'SentryAppFields1796162941303'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD "author" character varying(200)`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD "overview" text`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD "schema" jsonb NOT NULL DEFAULT '{}'`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD "is_alertable" boolean NOT NULL DEFAULT false`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD "allowed_origins" text array NOT NULL DEFAULT '{}'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP COLUMN "allowed_origins"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP COLUMN "is_alertable"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP COLUMN "schema"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP COLUMN "overview"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP COLUMN "author"`);
    }

}
