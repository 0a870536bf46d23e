import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795929362551 implements MigrationInterface {
    name = 'Init1795929362551'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "organizations" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "slug" character varying(50) NOT NULL, "name" character varying(200) NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_963693341bd612aa01ddf3a4b68" UNIQUE ("slug"), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "users" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "email" character varying(254) NOT NULL, "name" character varying(200) NOT NULL DEFAULT '', "is_superuser" boolean NOT NULL DEFAULT false, "is_sentry_app" boolean NOT NULL DEFAULT false, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "users_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "api_applications" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "client_id" character(64) NOT NULL, "client_secret_encrypted" text NOT NULL, "name" character varying(200) NOT NULL DEFAULT '', "owner_id" bigint NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_4fa155b6031bb06f31c84cbcee3" UNIQUE ("client_id"), CONSTRAINT "PK_0df57294e0a45b5e397343485fa" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "sentry_apps" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL, "slug" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "owner_organization_id" bigint NOT NULL, "proxy_user_id" bigint NOT NULL, "application_id" bigint NOT NULL, "scopes" text array NOT NULL DEFAULT '{}', "events" text array NOT NULL DEFAULT '{}', "webhook_url" character varying(2048), "redirect_url" character varying(2048), "verify_install" boolean NOT NULL DEFAULT true, "status" character varying(16) NOT NULL DEFAULT 'unpublished', "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_6221091ba75f7715feb8740710e" UNIQUE ("uuid"), CONSTRAINT "UQ_b0868869bd69401e145420e6dd6" UNIQUE ("slug"), CONSTRAINT "REL_4487f185bdab88c49d8c0a2aae" UNIQUE ("proxy_user_id"), CONSTRAINT "REL_f8795f3a5615358d6b460efd25" UNIQUE ("application_id"), CONSTRAINT "PK_25d0b8a7c84e5cef6b69c26f51a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "sentry_app_installations" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL, "sentry_app_id" bigint NOT NULL, "organization_id" bigint NOT NULL, "status" character varying(16) NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "date_deleted" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_c1f728a527d019544c2c89f01d9" UNIQUE ("uuid"), CONSTRAINT "PK_f0fed4432221c2c5413b402a7c5" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "sentry_app_installations_organization_id_idx" ON "sentry_app_installations"  ("organization_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "sentry_app_installations_active_key" ON "sentry_app_installations"  ("sentry_app_id", "organization_id") WHERE "date_deleted" IS NULL`);
        await queryRunner.query(`CREATE TABLE "api_tokens" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "installation_id" bigint NOT NULL, "family_id" uuid NOT NULL, "parent_id" bigint, "token_hash" character(64) NOT NULL, "refresh_token_hash" character(64) NOT NULL, "token_last_characters" character varying(4) NOT NULL, "scopes" text array NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL, "rotated_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_bbd687a104e1921e6702c6e3aad" UNIQUE ("token_hash"), CONSTRAINT "UQ_ddab095b8a75990ce54a6c83609" UNIQUE ("refresh_token_hash"), CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "api_tokens_installation_id_idx" ON "api_tokens"  ("installation_id") `);
        await queryRunner.query(`CREATE INDEX "api_tokens_family_id_idx" ON "api_tokens"  ("family_id") `);
        await queryRunner.query(`CREATE INDEX "api_tokens_parent_id_idx" ON "api_tokens"  ("parent_id") `);
        await queryRunner.query(`CREATE TABLE "api_grants" ("id" uuid NOT NULL, "installation_id" bigint NOT NULL, "code_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "exchanged_at" TIMESTAMP WITH TIME ZONE, "family_id" uuid, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e22c7d39c21e8b8dadab5924d33" UNIQUE ("installation_id"), CONSTRAINT "UQ_3a3fa9702220c3b589f7f90ab88" UNIQUE ("code_hash"), CONSTRAINT "api_grants_pkey" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "api_grants_expires_at_idx" ON "api_grants"  ("expires_at") `);
        await queryRunner.query(`CREATE TABLE "organization_members" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "organization_id" bigint NOT NULL, "user_id" bigint NOT NULL, "role" character varying(16) NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "organization_members_role_check" CHECK ("role" IN ('owner', 'manager', 'member')), CONSTRAINT "PK_c2b39d5d072886a4d9c8105eb9a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "organization_members_user_id_idx" ON "organization_members"  ("user_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "organization_members_organization_user_key" ON "organization_members"  ("organization_id", "user_id") `);
        await queryRunner.query(`CREATE TABLE "personal_tokens" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "user_id" bigint NOT NULL, "token_hash" character(64) NOT NULL, "token_last_characters" character varying(4) NOT NULL, "date_created" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_13cbd60bdfd3a556e15db2056cd" UNIQUE ("token_hash"), CONSTRAINT "PK_278d2b70b7f8e7841366b3d5543" PRIMARY KEY ("id"))`);
        await queryRunner.query(`ALTER TABLE "api_applications" ADD CONSTRAINT "FK_0cbedc97525feefab66bedfd9d4" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD CONSTRAINT "FK_1a039e282cfefd4470488982676" FOREIGN KEY ("owner_organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD CONSTRAINT "FK_4487f185bdab88c49d8c0a2aaeb" FOREIGN KEY ("proxy_user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" ADD CONSTRAINT "FK_f8795f3a5615358d6b460efd252" FOREIGN KEY ("application_id") REFERENCES "api_applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "sentry_app_installations" ADD CONSTRAINT "FK_0d6f9ed6180b253e91a7752cf9f" FOREIGN KEY ("sentry_app_id") REFERENCES "sentry_apps"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "sentry_app_installations" ADD CONSTRAINT "FK_5dcd775224b537cb34c54dab923" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_0cf3ea9701c7f7879db76dd08c8" FOREIGN KEY ("installation_id") REFERENCES "sentry_app_installations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_grants" ADD CONSTRAINT "FK_e22c7d39c21e8b8dadab5924d33" FOREIGN KEY ("installation_id") REFERENCES "sentry_app_installations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "organization_members" ADD CONSTRAINT "FK_7062a4fbd9bab22ffd918e5d3d9" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "organization_members" ADD CONSTRAINT "FK_89bde91f78d36ca41e9515d91c6" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "personal_tokens" ADD CONSTRAINT "FK_6830bc174c3bece0fb1d4aee28b" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "personal_tokens" DROP CONSTRAINT "FK_6830bc174c3bece0fb1d4aee28b"`);
        await queryRunner.query(`ALTER TABLE "organization_members" DROP CONSTRAINT "FK_89bde91f78d36ca41e9515d91c6"`);
        await queryRunner.query(`ALTER TABLE "organization_members" DROP CONSTRAINT "FK_7062a4fbd9bab22ffd918e5d3d9"`);
        await queryRunner.query(`ALTER TABLE "api_grants" DROP CONSTRAINT "FK_e22c7d39c21e8b8dadab5924d33"`);
        await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_0cf3ea9701c7f7879db76dd08c8"`);
        await queryRunner.query(`ALTER TABLE "sentry_app_installations" DROP CONSTRAINT "FK_5dcd775224b537cb34c54dab923"`);
        await queryRunner.query(`ALTER TABLE "sentry_app_installations" DROP CONSTRAINT "FK_0d6f9ed6180b253e91a7752cf9f"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP CONSTRAINT "FK_f8795f3a5615358d6b460efd252"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP CONSTRAINT "FK_4487f185bdab88c49d8c0a2aaeb"`);
        await queryRunner.query(`ALTER TABLE "sentry_apps" DROP CONSTRAINT "FK_1a039e282cfefd4470488982676"`);
        await queryRunner.query(`ALTER TABLE "api_applications" DROP CONSTRAINT "FK_0cbedc97525feefab66bedfd9d4"`);
        await queryRunner.query(`DROP TABLE "personal_tokens"`);
        await queryRunner.query(`DROP INDEX "organization_members_organization_user_key"`);
        await queryRunner.query(`DROP INDEX "organization_members_user_id_idx"`);
        await queryRunner.query(`DROP TABLE "organization_members"`);
        await queryRunner.query(`DROP INDEX "api_grants_expires_at_idx"`);
        await queryRunner.query(`DROP TABLE "api_grants"`);
        await queryRunner.query(`DROP INDEX "api_tokens_parent_id_idx"`);
        await queryRunner.query(`DROP INDEX "api_tokens_family_id_idx"`);
        await queryRunner.query(`DROP INDEX "api_tokens_installation_id_idx"`);
        await queryRunner.query(`DROP TABLE "api_tokens"`);
        await queryRunner.query(`DROP INDEX "sentry_app_installations_active_key"`);
        await queryRunner.query(`DROP INDEX "sentry_app_installations_organization_id_idx"`);
        await queryRunner.query(`DROP TABLE "sentry_app_installations"`);
        await queryRunner.query(`DROP TABLE "sentry_apps"`);
        await queryRunner.query(`DROP TABLE "api_applications"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP TABLE "organizations"`);
    }

}
