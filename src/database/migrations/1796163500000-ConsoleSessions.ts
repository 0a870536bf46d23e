import { MigrationInterface, QueryRunner } from "typeorm";

export class ConsoleSessions1796163500000 implements MigrationInterface {
    name = 'ConsoleSessions1796163500000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "console_sessions" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "session_hash" character(64) NOT NULL, "user_id" bigint NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "flash" jsonb, CONSTRAINT "UQ_904fa90cb8eede85c0a7e2c5140" UNIQUE ("session_hash"), CONSTRAINT "PK_15fe3f1740801e7a0581dea8d49" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "console_sessions_user_id_idx" ON "console_sessions"  ("user_id") `);
        await queryRunner.query(`CREATE INDEX "console_sessions_expires_at_idx" ON "console_sessions"  ("expires_at") `);
        await queryRunner.query(`CREATE TABLE "password_links" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "user_id" bigint NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_66e3415c64e32460ee0c5cb5dd1" UNIQUE ("token_hash"), CONSTRAINT "PK_ac2d6833bc67a2684b10875ac4c" PRIMARY KEY ("id"))`);
        await queryRunner.query(`ALTER TABLE "users" ADD "password_hash" character varying(255)`);
        await queryRunner.query(`ALTER TABLE "console_sessions" ADD CONSTRAINT "FK_7cc109beca9adc3cbc175773b1e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "password_links" ADD CONSTRAINT "FK_5df8ca33044c0215813e3bb68be" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "password_links" DROP CONSTRAINT "FK_5df8ca33044c0215813e3bb68be"`);
        await queryRunner.query(`ALTER TABLE "console_sessions" DROP CONSTRAINT "FK_7cc109beca9adc3cbc175773b1e"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "password_hash"`);
        await queryRunner.query(`DROP TABLE "password_links"`);
        await queryRunner.query(`DROP INDEX "console_sessions_expires_at_idx"`);
        await queryRunner.query(`DROP INDEX "console_sessions_user_id_idx"`);
        await queryRunner.query(`DROP TABLE "console_sessions"`);
    }

}
