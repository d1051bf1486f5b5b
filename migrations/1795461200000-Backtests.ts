/** Backtests: the run, its cases (one per account × outcome day, scored as of D − horizon) and their scores per outcome. */
import { MigrationInterface, QueryRunner } from "typeorm";

export class Backtests1795461200000 implements MigrationInterface {
    name = 'Backtests1795461200000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "backtests" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "state" text NOT NULL DEFAULT 'QUEUED', "model_version_id" uuid NOT NULL, "model_hash" text NOT NULL, "horizon_days" integer NOT NULL, "from_date" date, "to_date" date, "scope" jsonb NOT NULL DEFAULT '{}', "contracted_as" text NOT NULL DEFAULT 'RETAINED', "total" integer NOT NULL DEFAULT '0', "done" integer NOT NULL DEFAULT '0', "as_of_dates" integer NOT NULL DEFAULT '0', "report" jsonb, "attempts" integer NOT NULL DEFAULT '0', "error" text, "requested_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "heartbeat_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a236f701aeb67582145986615b4" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "backtests_open_idx" ON "backtests" ("state", "heartbeat_at") WHERE "state" IN ('QUEUED', 'RUNNING')`);
        await queryRunner.query(`CREATE INDEX "backtests_created_idx" ON "backtests" ("workspace_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "backtest_cases" ("workspace_id" uuid NOT NULL, "backtest_id" uuid NOT NULL, "account_id" uuid NOT NULL, "occurred_on" date NOT NULL, "kind" text NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "cluster_id" uuid, "score" double precision, "band" text, "scored" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_b7505b2fe4ca8879cfca93fca74" PRIMARY KEY ("workspace_id", "backtest_id", "account_id", "occurred_on"))`);
        await queryRunner.query(`CREATE INDEX "backtest_cases_pending_idx" ON "backtest_cases" ("workspace_id", "backtest_id", "as_of") WHERE NOT scored`);
        await queryRunner.query(`CREATE TABLE "backtest_outcome_scores" ("workspace_id" uuid NOT NULL, "backtest_id" uuid NOT NULL, "account_id" uuid NOT NULL, "occurred_on" date NOT NULL, "outcome_id" uuid NOT NULL, "score" double precision, "band" text NOT NULL, "coverage" double precision, "drivers" jsonb NOT NULL, CONSTRAINT "PK_e53bd2309fd695e5ff75ea97cac" PRIMARY KEY ("workspace_id", "backtest_id", "account_id", "occurred_on", "outcome_id"))`);
        await queryRunner.query(`ALTER TABLE "backtests" ADD CONSTRAINT "FK_52653eb425fa791943c123a87b9" FOREIGN KEY ("workspace_id", "model_version_id") REFERENCES "model_versions"("workspace_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "backtests" ADD CONSTRAINT "FK_934e0efd8a16de182a91394e742" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "backtest_cases" ADD CONSTRAINT "FK_9f443f2dd105cbc67aea5221c27" FOREIGN KEY ("workspace_id", "backtest_id") REFERENCES "backtests"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "backtest_outcome_scores" ADD CONSTRAINT "FK_45458764c5f01875de64b9ee5d6" FOREIGN KEY ("workspace_id", "backtest_id") REFERENCES "backtests"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "backtest_outcome_scores" DROP CONSTRAINT "FK_45458764c5f01875de64b9ee5d6"`);
        await queryRunner.query(`ALTER TABLE "backtest_cases" DROP CONSTRAINT "FK_9f443f2dd105cbc67aea5221c27"`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP CONSTRAINT "FK_934e0efd8a16de182a91394e742"`);
        await queryRunner.query(`ALTER TABLE "backtests" DROP CONSTRAINT "FK_52653eb425fa791943c123a87b9"`);
        await queryRunner.query(`DROP TABLE "backtest_outcome_scores"`);
        await queryRunner.query(`DROP INDEX "public"."backtest_cases_pending_idx"`);
        await queryRunner.query(`DROP TABLE "backtest_cases"`);
        await queryRunner.query(`DROP INDEX "public"."backtests_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."backtests_open_idx"`);
        await queryRunner.query(`DROP TABLE "backtests"`);
    }

}
