/**
 * Previews of a draft model (docs/model.md): per account and per account × outcome, the score and band under the live
 * model and under the draft, apart from the live snapshots. A preview is computed by a scoring run (kind PREVIEW) whose
 * id it shares; its rows go with it (ON DELETE CASCADE) when old previews are cleaned up.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ModelPreviews1795451100000 implements MigrationInterface {
    name = 'ModelPreviews1795451100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "model_previews" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL, "draft_id" uuid, "draft_name" text NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "live_config" jsonb NOT NULL, "draft_config" jsonb NOT NULL, "live_hash" text NOT NULL, "draft_hash" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5bbee6c8ec71e472cf67aa823da" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "model_previews_created_idx" ON "model_previews" ("workspace_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "model_preview_accounts" ("workspace_id" uuid NOT NULL, "preview_id" uuid NOT NULL, "account_id" uuid NOT NULL, "before_cluster_id" uuid, "after_cluster_id" uuid, "before_score" double precision, "before_band" text, "after_score" double precision, "after_band" text, "change" double precision, CONSTRAINT "PK_a8e8ecf60de025801aeb324feb0" PRIMARY KEY ("workspace_id", "preview_id", "account_id"))`);
        await queryRunner.query(`CREATE INDEX "model_preview_accounts_change_idx" ON "model_preview_accounts" ("workspace_id", "preview_id", "change") `);
        await queryRunner.query(`CREATE TABLE "model_preview_outcomes" ("workspace_id" uuid NOT NULL, "preview_id" uuid NOT NULL, "account_id" uuid NOT NULL, "outcome_id" uuid NOT NULL, "before_score" double precision, "before_band" text, "after_score" double precision, "after_band" text, "change" double precision, "before_contributions" jsonb, "movers" jsonb, CONSTRAINT "PK_b610b886fdc01fd37a672470f00" PRIMARY KEY ("workspace_id", "preview_id", "account_id", "outcome_id"))`);
        await queryRunner.query(`ALTER TABLE "model_preview_accounts" ADD CONSTRAINT "FK_56fa843b4f7af8f1153c450bcec" FOREIGN KEY ("workspace_id", "preview_id") REFERENCES "model_previews"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "model_preview_outcomes" ADD CONSTRAINT "FK_3207875f7737b16b27c126e537e" FOREIGN KEY ("workspace_id", "preview_id") REFERENCES "model_previews"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "model_preview_outcomes" DROP CONSTRAINT "FK_3207875f7737b16b27c126e537e"`);
        await queryRunner.query(`ALTER TABLE "model_preview_accounts" DROP CONSTRAINT "FK_56fa843b4f7af8f1153c450bcec"`);
        await queryRunner.query(`DROP TABLE "model_preview_outcomes"`);
        await queryRunner.query(`DROP INDEX "public"."model_preview_accounts_change_idx"`);
        await queryRunner.query(`DROP TABLE "model_preview_accounts"`);
        await queryRunner.query(`DROP INDEX "public"."model_previews_created_idx"`);
        await queryRunner.query(`DROP TABLE "model_previews"`);
    }
}
