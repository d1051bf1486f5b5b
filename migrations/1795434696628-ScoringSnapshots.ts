/**
 * Scoring results (src/scoring/snapshot.entity.ts). Why each key/index exists, and the query it serves:
 * - model_versions PK (workspace_id, id): snapshots point at the version that produced them.
 *   model_versions_hash_key UNIQUE (workspace_id, hash): the engine records a configuration once
 *   (INSERT … ON CONFLICT (workspace_id, hash) DO NOTHING, then look it up by hash).
 * - health_snapshots PK (workspace_id, account_id, outcome_id, as_of): history of one account×outcome
 *   (Account.healthHistory: range scan on as_of), Account.outcomes.change(days): "newest snapshot at or
 *   before T − N days" = one backward index scan per (account, outcome); re-running a scoring at the same
 *   asOf upserts instead of duplicating (an interrupted run can be restarted).
 *   health_snapshots_outcome_time_idx (workspace_id, outcome_id, as_of): trends of one outcome over all
 *   accounts (dashboards) and the FK to outcomes (ON DELETE CASCADE would otherwise scan the table).
 *   health_snapshots_run_idx (workspace_id, run_id) partial: what a scoring run wrote (S2's runs).
 * - current_outcome_health PK (workspace_id, account_id, outcome_id): Account.outcomes (DataLoader batch by
 *   account ids), the engine's upsert. current_outcome_health_score_idx (workspace_id, outcome_id, score):
 *   "accounts of outcome X ordered/filtered by score"; current_outcome_health_status_idx (workspace_id,
 *   outcome_id, journey_status): "accounts STUCK / BEHIND on outcome X".
 * - account_health_snapshots PK (workspace_id, account_id, as_of): Account.healthHistory without outcome.
 * - current_account_health PK (workspace_id, account_id): Account.health (DataLoader), engine upsert;
 *   current_account_health_score_idx (workspace_id, score): account lists ordered by health;
 *   current_account_health_band_idx (workspace_id, band): filter by band and counts per band.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ScoringSnapshots1795434696628 implements MigrationInterface {
    name = 'ScoringSnapshots1795434696628'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "model_versions" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "hash" text NOT NULL, "config" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7d60c11c0dd1142738999e4bee0" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "model_versions_hash_key" ON "model_versions" ("workspace_id", "hash") `);
        await queryRunner.query(`CREATE TABLE "health_snapshots" ("workspace_id" uuid NOT NULL, "account_id" uuid NOT NULL, "outcome_id" uuid NOT NULL, "score" double precision, "band" text NOT NULL, "proactive" double precision, "reactive" double precision, "coverage" double precision, "stage_id" uuid, "journey_day" integer NOT NULL, "journey_status" text, "overdue_count" integer NOT NULL DEFAULT '0', "next_milestone_id" uuid, "days_until_due" integer, "drivers" jsonb NOT NULL DEFAULT '[]', "milestones" jsonb NOT NULL DEFAULT '[]', "model_version_id" uuid NOT NULL, "run_id" uuid, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a1a7760b638b9cf82c2beaf44ea" PRIMARY KEY ("workspace_id", "account_id", "outcome_id", "as_of"))`);
        await queryRunner.query(`CREATE INDEX "health_snapshots_run_idx" ON "health_snapshots" ("workspace_id", "run_id") WHERE "run_id" IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "health_snapshots_outcome_time_idx" ON "health_snapshots" ("workspace_id", "outcome_id", "as_of") `);
        await queryRunner.query(`CREATE TABLE "current_outcome_health" ("workspace_id" uuid NOT NULL, "account_id" uuid NOT NULL, "outcome_id" uuid NOT NULL, "score" double precision, "band" text NOT NULL, "proactive" double precision, "reactive" double precision, "coverage" double precision, "stage_id" uuid, "journey_day" integer NOT NULL, "journey_status" text, "overdue_count" integer NOT NULL DEFAULT '0', "next_milestone_id" uuid, "days_until_due" integer, "drivers" jsonb NOT NULL DEFAULT '[]', "milestones" jsonb NOT NULL DEFAULT '[]', "model_version_id" uuid NOT NULL, "run_id" uuid, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ca4b787762172e2032e16d115cf" PRIMARY KEY ("workspace_id", "account_id", "outcome_id"))`);
        await queryRunner.query(`CREATE INDEX "current_outcome_health_status_idx" ON "current_outcome_health" ("workspace_id", "outcome_id", "journey_status") `);
        await queryRunner.query(`CREATE INDEX "current_outcome_health_score_idx" ON "current_outcome_health" ("workspace_id", "outcome_id", "score") `);
        await queryRunner.query(`CREATE TABLE "account_health_snapshots" ("workspace_id" uuid NOT NULL, "account_id" uuid NOT NULL, "score" double precision, "band" text NOT NULL, "coverage" double precision, "model_version_id" uuid NOT NULL, "run_id" uuid, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f83ebb6eb335cd15b5ff5bfadba" PRIMARY KEY ("workspace_id", "account_id", "as_of"))`);
        await queryRunner.query(`CREATE TABLE "current_account_health" ("workspace_id" uuid NOT NULL, "account_id" uuid NOT NULL, "score" double precision, "band" text NOT NULL, "coverage" double precision, "model_version_id" uuid NOT NULL, "run_id" uuid, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "worst_journey_status" text, CONSTRAINT "PK_09cd02170b7506b6e5681562c00" PRIMARY KEY ("workspace_id", "account_id"))`);
        await queryRunner.query(`CREATE INDEX "current_account_health_band_idx" ON "current_account_health" ("workspace_id", "band") `);
        await queryRunner.query(`CREATE INDEX "current_account_health_score_idx" ON "current_account_health" ("workspace_id", "score") `);
        await queryRunner.query(`ALTER TABLE "health_snapshots" ADD CONSTRAINT "FK_033e989b337aec1db9857a93256" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "health_snapshots" ADD CONSTRAINT "FK_cccc5bc6331b202bb99885f28e1" FOREIGN KEY ("workspace_id", "outcome_id") REFERENCES "outcomes"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "health_snapshots" ADD CONSTRAINT "FK_496e921cfae5ffc02e8ef5d10d0" FOREIGN KEY ("workspace_id", "model_version_id") REFERENCES "model_versions"("workspace_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "current_outcome_health" ADD CONSTRAINT "FK_edcca883611100cd283fb4e2b57" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "current_outcome_health" ADD CONSTRAINT "FK_ccbec1a70211feeb8b212fade79" FOREIGN KEY ("workspace_id", "outcome_id") REFERENCES "outcomes"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "account_health_snapshots" ADD CONSTRAINT "FK_a7bf6bd42ac00455f105c4162f8" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "account_health_snapshots" ADD CONSTRAINT "FK_319e91f6fac63e5decdc4bd63c6" FOREIGN KEY ("workspace_id", "model_version_id") REFERENCES "model_versions"("workspace_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "current_account_health" ADD CONSTRAINT "FK_09cd02170b7506b6e5681562c00" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "current_account_health" DROP CONSTRAINT "FK_09cd02170b7506b6e5681562c00"`);
        await queryRunner.query(`ALTER TABLE "account_health_snapshots" DROP CONSTRAINT "FK_319e91f6fac63e5decdc4bd63c6"`);
        await queryRunner.query(`ALTER TABLE "account_health_snapshots" DROP CONSTRAINT "FK_a7bf6bd42ac00455f105c4162f8"`);
        await queryRunner.query(`ALTER TABLE "current_outcome_health" DROP CONSTRAINT "FK_ccbec1a70211feeb8b212fade79"`);
        await queryRunner.query(`ALTER TABLE "current_outcome_health" DROP CONSTRAINT "FK_edcca883611100cd283fb4e2b57"`);
        await queryRunner.query(`ALTER TABLE "health_snapshots" DROP CONSTRAINT "FK_496e921cfae5ffc02e8ef5d10d0"`);
        await queryRunner.query(`ALTER TABLE "health_snapshots" DROP CONSTRAINT "FK_cccc5bc6331b202bb99885f28e1"`);
        await queryRunner.query(`ALTER TABLE "health_snapshots" DROP CONSTRAINT "FK_033e989b337aec1db9857a93256"`);
        await queryRunner.query(`DROP INDEX "public"."current_account_health_score_idx"`);
        await queryRunner.query(`DROP INDEX "public"."current_account_health_band_idx"`);
        await queryRunner.query(`DROP TABLE "current_account_health"`);
        await queryRunner.query(`DROP TABLE "account_health_snapshots"`);
        await queryRunner.query(`DROP INDEX "public"."current_outcome_health_score_idx"`);
        await queryRunner.query(`DROP INDEX "public"."current_outcome_health_status_idx"`);
        await queryRunner.query(`DROP TABLE "current_outcome_health"`);
        await queryRunner.query(`DROP INDEX "public"."health_snapshots_outcome_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."health_snapshots_run_idx"`);
        await queryRunner.query(`DROP TABLE "health_snapshots"`);
        await queryRunner.query(`DROP INDEX "public"."model_versions_hash_key"`);
        await queryRunner.query(`DROP TABLE "model_versions"`);
    }

}
