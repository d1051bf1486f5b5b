import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Scoring runs (progress of chunked recomputes) and rescore requests (accounts awaiting the
 * incremental rescore after ingestion). Indexes:
 * - scoring_runs (workspace_id, created_at): `scoringRuns(first)` lists the newest runs of a workspace.
 * - scoring_runs (state, heartbeat_at) partial on open runs: the recovery sweep finds QUEUED runs and
 *   RUNNING runs with a stale heartbeat across workspaces without scanning finished runs.
 * - rescore_requests PK (workspace_id, id): the rescore job drains a workspace's oldest requests in id order.
 */

export class ScoringRuns1795434830096 implements MigrationInterface {
    name = 'ScoringRuns1795434830096'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "scoring_runs" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL DEFAULT 'MANUAL', "scope" jsonb NOT NULL DEFAULT '{}', "state" text NOT NULL DEFAULT 'QUEUED', "total" integer NOT NULL DEFAULT '0', "done" integer NOT NULL DEFAULT '0', "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "cursor" uuid, "chunk_size" integer NOT NULL DEFAULT '5000', "attempts" integer NOT NULL DEFAULT '0', "error" text, "requested_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "heartbeat_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_05ae2649ac09ccf3926a92f2f81" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "scoring_runs_open_idx" ON "scoring_runs" ("state", "heartbeat_at") WHERE "state" IN ('QUEUED', 'RUNNING')`);
        await queryRunner.query(`CREATE INDEX "scoring_runs_created_idx" ON "scoring_runs" ("workspace_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "rescore_requests" ("workspace_id" uuid NOT NULL, "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "account_ids" uuid array NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c4bb5a764bf4d65d03428652a4f" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`ALTER TABLE "scoring_runs" ADD CONSTRAINT "FK_81a5cb3c61b3362f84a53f724a6" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "rescore_requests" ADD CONSTRAINT "FK_64daaa851a1ede5d5a254239111" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "rescore_requests" DROP CONSTRAINT "FK_64daaa851a1ede5d5a254239111"`);
        await queryRunner.query(`ALTER TABLE "scoring_runs" DROP CONSTRAINT "FK_81a5cb3c61b3362f84a53f724a6"`);
        await queryRunner.query(`DROP TABLE "rescore_requests"`);
        await queryRunner.query(`DROP INDEX "public"."scoring_runs_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."scoring_runs_open_idx"`);
        await queryRunner.query(`DROP TABLE "scoring_runs"`);
    }

}
