/**
 * journeyProgress over a whole outcome without unpacking every account's milestones jsonb (100k accounts: ~950 ms):
 * - current_milestone_progress: one narrow row per current account × outcome × milestone (days to achieve, due, on
 *   time), written by the engine with current_outcome_health. Its primary key (workspace_id, outcome_id, account_id,
 *   milestone_id) serves the engine's upsert and the cascade from current_outcome_health. Deleting a milestone
 *   cascades too (a scan of the table: a rare configuration change, cheaper than one more index on every rescore).
 * - current_milestone_progress_histogram_idx (workspace_id, outcome_id, milestone_id, days_to_achieve, due,
 *   achieved_on_time): the histogram of one outcome is an index-only scan already in GROUP BY order (100k accounts
 *   × 6 milestones: ~60 ms, against ~180 ms scanning the table).
 * - current_outcome_health.achievement_stage_id (stage by achievement) and current_outcome_health_journey_idx
 *   (workspace_id, outcome_id, journey_status, stage_id, achievement_stage_id): the per-status / per-stage counts
 *   become an index-only scan; it replaces current_outcome_health_status_idx, of which it is an extension (the
 *   journey-status filter of the accounts list still uses its prefix).
 * Existing current rows are backfilled from their milestones jsonb, so the query is right before the next rescore.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class JourneyProgressTables1795447099998 implements MigrationInterface {
    name = 'JourneyProgressTables1795447099998'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."current_outcome_health_status_idx"`);
        await queryRunner.query(`CREATE TABLE "current_milestone_progress" ("workspace_id" uuid NOT NULL, "outcome_id" uuid NOT NULL, "account_id" uuid NOT NULL, "milestone_id" uuid NOT NULL, "days_to_achieve" integer, "due" boolean NOT NULL, "achieved_on_time" boolean NOT NULL, CONSTRAINT "PK_d2a182da96699ec8ea97eaf5deb" PRIMARY KEY ("workspace_id", "outcome_id", "account_id", "milestone_id"))`);
        await queryRunner.query(`CREATE INDEX "current_milestone_progress_histogram_idx" ON "current_milestone_progress" ("workspace_id", "outcome_id", "milestone_id", "days_to_achieve", "due", "achieved_on_time") `);
        await queryRunner.query(`ALTER TABLE "current_outcome_health" ADD "achievement_stage_id" uuid`);
        await queryRunner.query(`CREATE INDEX "current_outcome_health_journey_idx" ON "current_outcome_health" ("workspace_id", "outcome_id", "journey_status", "stage_id", "achievement_stage_id") `);
        await queryRunner.query(`ALTER TABLE "current_milestone_progress" ADD CONSTRAINT "FK_39b60fe9dc1a846c9928a3e29af" FOREIGN KEY ("workspace_id", "account_id", "outcome_id") REFERENCES "current_outcome_health"("workspace_id","account_id","outcome_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "current_milestone_progress" ADD CONSTRAINT "FK_a75d38446d7c594b57d5d839e44" FOREIGN KEY ("workspace_id", "milestone_id") REFERENCES "milestones"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`
            INSERT INTO "current_milestone_progress" ("workspace_id", "outcome_id", "account_id", "milestone_id", "days_to_achieve", "due", "achieved_on_time")
            SELECT h.workspace_id, h.outcome_id, h.account_id, e."milestoneId",
                   floor(date_part('epoch', e."achievedAt" - a.journey_started_at) / 86400)::int,
                   h.journey_day >= e."expectedByDay",
                   coalesce(e."achievedAt" <= a.journey_started_at + e."expectedByDay" * interval '1 day', false)
              FROM "current_outcome_health" h
              JOIN "accounts" a ON a.workspace_id = h.workspace_id AND a.id = h.account_id
             CROSS JOIN LATERAL jsonb_to_recordset(h.milestones) AS e("milestoneId" uuid, "achievedAt" timestamptz, "expectedByDay" int)
             WHERE EXISTS (SELECT 1 FROM "milestones" m WHERE m.workspace_id = h.workspace_id AND m.id = e."milestoneId")`);
        await queryRunner.query(`
            UPDATE "current_outcome_health" h SET "achievement_stage_id" = coalesce(
                (SELECT m.stage_id FROM jsonb_to_recordset(h.milestones) AS e("milestoneId" uuid, "achievedAt" timestamptz)
                   JOIN "milestones" m ON m.workspace_id = h.workspace_id AND m.id = e."milestoneId"
                   JOIN "journey_stages" s ON s.workspace_id = m.workspace_id AND s.id = m.stage_id
                  WHERE e."achievedAt" IS NULL ORDER BY s.start_day, m.position, m.id LIMIT 1),
                (SELECT s.id FROM "journey_stages" s WHERE s.workspace_id = h.workspace_id AND s.outcome_id = h.outcome_id
                  ORDER BY s.start_day DESC LIMIT 1))
             WHERE h.journey_status IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "current_milestone_progress" DROP CONSTRAINT "FK_a75d38446d7c594b57d5d839e44"`);
        await queryRunner.query(`ALTER TABLE "current_milestone_progress" DROP CONSTRAINT "FK_39b60fe9dc1a846c9928a3e29af"`);
        await queryRunner.query(`DROP INDEX "public"."current_outcome_health_journey_idx"`);
        await queryRunner.query(`ALTER TABLE "current_outcome_health" DROP COLUMN "achievement_stage_id"`);
        await queryRunner.query(`DROP INDEX "public"."current_milestone_progress_histogram_idx"`);
        await queryRunner.query(`DROP TABLE "current_milestone_progress"`);
        await queryRunner.query(`CREATE INDEX "current_outcome_health_status_idx" ON "current_outcome_health" ("workspace_id", "outcome_id", "journey_status") `);
    }

}
