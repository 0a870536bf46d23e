import { MigrationInterface, QueryRunner } from "typeorm";

export class SealedRetryAnswers1796162941302 implements MigrationInterface {
    name = 'SealedRetryAnswers1796162941302'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_tokens" ADD "sealed_answer" bytea`);
        await queryRunner.query(`CREATE INDEX "api_tokens_sealed_answer_date_created_idx" ON "api_tokens"  ("date_created") WHERE sealed_answer IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "api_tokens_sealed_answer_date_created_idx"`);
        await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "sealed_answer"`);
    }

}
