import { MigrationInterface, QueryRunner } from "typeorm";

export class UsedJwtIds1795930094041 implements MigrationInterface {
    name = 'UsedJwtIds1795930094041'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "used_jwt_ids" ("application_id" bigint NOT NULL, "jti" character varying(255) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_04fd0feac9e2382f768ad76d1d0" PRIMARY KEY ("application_id", "jti"))`);
        await queryRunner.query(`CREATE INDEX "used_jwt_ids_expires_at_idx" ON "used_jwt_ids"  ("expires_at") `);
        await queryRunner.query(`ALTER TABLE "used_jwt_ids" ADD CONSTRAINT "FK_7a3a921bdf8006302bcc9532195" FOREIGN KEY ("application_id") REFERENCES "api_applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "used_jwt_ids" DROP CONSTRAINT "FK_7a3a921bdf8006302bcc9532195"`);
        await queryRunner.query(`DROP INDEX "used_jwt_ids_expires_at_idx"`);
        await queryRunner.query(`DROP TABLE "used_jwt_ids"`);
    }

}
