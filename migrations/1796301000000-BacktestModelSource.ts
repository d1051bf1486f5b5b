/**
 * Backtests name the model they scored as a source (LIVE, VERSION, DRAFT), a version number and a draft, and keep the
 * configuration they scored verbatim (a draft has no model_versions row). Existing backtests take theirs from the
 * version they pointed at.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class BacktestModelSource1796301000000 implements MigrationInterface {
    name = 'BacktestModelSource1796301000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "backtests" ADD "model_source" text NOT NULL DEFAULT 'LIVE'`);
        await queryRunner.query(`ALTER TABLE "backtests" ADD "model_version" integer`);
        await queryRunner.query(`ALTER TABLE "backtests" ADD "draft_id" uuid`);
        await queryRunner.query(`ALTER TABLE "backtests" ADD "config" jsonb`);
        await queryRunner.query(`UPDATE "backtests" b SET "config" = v."config", "model_version" = v."number"
            FROM "model_versions" v WHERE v."workspace_id" = b."workspace_id" AND v."id" = b."model_version_id"`);
        await queryRunner.query(`ALTER TABLE "backtests" ALTER COLUMN "config" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP CONSTRAINT "FK_52653eb425fa791943c123a87b9"`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP COLUMN "model_version_id"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "backtests" ADD "model_version_id" uuid`);
        await queryRunner.query(`UPDATE "backtests" b SET "model_version_id" = v."id" FROM "model_versions" v
            WHERE v."workspace_id" = b."workspace_id" AND v."number" = b."model_version"`);
        await queryRunner.query(`DELETE FROM "backtests" WHERE "model_version_id" IS NULL`);
        await queryRunner.query(`ALTER TABLE "backtests" ALTER COLUMN "model_version_id" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "backtests" ADD CONSTRAINT "FK_52653eb425fa791943c123a87b9" FOREIGN KEY ("workspace_id", "model_version_id") REFERENCES "model_versions"("workspace_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP COLUMN "config"`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP COLUMN "draft_id"`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP COLUMN "model_version"`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP COLUMN "model_source"`);
    }

}
