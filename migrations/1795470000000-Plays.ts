/**
 * Plays, their firings, tasks, webhook endpoints, deliveries and attempts (issue 14). Partial unique indexes carry
 * the no-flood rule: one open firing per play × account × outcome, one OPEN task per play × account × outcome.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class Plays1795470000000 implements MigrationInterface {
    name = 'Plays1795470000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "tasks" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "outcome_id" uuid, "play_id" uuid, "firing_id" uuid, "scope_key" text NOT NULL DEFAULT '', "title" text NOT NULL, "owner" text, "due_on" date, "priority" text NOT NULL DEFAULT 'MEDIUM', "status" text NOT NULL DEFAULT 'OPEN', "status_changed_by" text, "status_changed_at" TIMESTAMP WITH TIME ZONE, "notes" text NOT NULL DEFAULT '', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5a365a683c5bc96782a8a9aa7d9" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "tasks_status_due_idx" ON "tasks" ("workspace_id", "status", "due_on", "id") `);
        await queryRunner.query(`CREATE INDEX "tasks_account_idx" ON "tasks" ("workspace_id", "account_id", "status") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "tasks_open_play_key" ON "tasks" ("workspace_id", "play_id", "account_id", "scope_key") WHERE "status" = 'OPEN' AND "play_id" IS NOT NULL`);
        await queryRunner.query(`CREATE TABLE "webhook_endpoints" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "url" text NOT NULL, "secret_ciphertext" text NOT NULL, "secret_prefix" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "consecutive_failures" integer NOT NULL DEFAULT '0', "last_error" text, "last_success_at" TIMESTAMP WITH TIME ZONE, "last_failure_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e646a090bbd327a64a3099c960d" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "webhook_endpoints_name_key" ON "webhook_endpoints" ("workspace_id", "name") `);
        await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "endpoint_id" uuid NOT NULL, "play_id" uuid, "account_id" uuid, "event" text NOT NULL, "payload" jsonb NOT NULL, "state" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "attempt_base" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "claimed_at" TIMESTAMP WITH TIME ZONE, "last_status_code" integer, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, "dead_at" TIMESTAMP WITH TIME ZONE, "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c87e28a4c1b217d778cb05b190" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" ("state", "next_attempt_at") WHERE "state" IN ('PENDING', 'SENDING')`);
        await queryRunner.query(`CREATE INDEX "webhook_deliveries_endpoint_idx" ON "webhook_deliveries" ("workspace_id", "endpoint_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "webhook_attempts" ("workspace_id" uuid NOT NULL, "delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status_code" integer, "latency_ms" integer NOT NULL, "error" text, "response_excerpt" text, CONSTRAINT "PK_485af0ab1323a40851d4fcfc9ae" PRIMARY KEY ("workspace_id", "delivery_id", "attempt"))`);
        await queryRunner.query(`CREATE TABLE "plays" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text, "enabled" boolean NOT NULL DEFAULT true, "trigger" jsonb NOT NULL, "cluster_ids" uuid array NOT NULL DEFAULT '{}', "outcome_ids" uuid array NOT NULL DEFAULT '{}', "cooldown_days" integer NOT NULL DEFAULT '7', "task" jsonb, "webhook_endpoint_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_07f344f5472a5f8c48831bce99a" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "plays_name_key" ON "plays" ("workspace_id", "name") `);
        await queryRunner.query(`CREATE TABLE "play_firings" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "play_id" uuid NOT NULL, "account_id" uuid NOT NULL, "outcome_id" uuid, "scope_key" text NOT NULL, "fired_at" TIMESTAMP WITH TIME ZONE NOT NULL, "cleared_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c6436f8d9c3ad14b7524e170f7f" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "play_firings_recent_idx" ON "play_firings" ("workspace_id", "play_id", "account_id", "scope_key", "fired_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "play_firings_open_key" ON "play_firings" ("workspace_id", "play_id", "account_id", "scope_key") WHERE "cleared_at" IS NULL`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "FK_617ad75c73a5b227270dd5f1028" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_90f8e4580eb512895222f3adac2" FOREIGN KEY ("workspace_id", "endpoint_id") REFERENCES "webhook_endpoints"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_attempts" ADD CONSTRAINT "FK_766d1fdbcc1e657bd3b4522a455" FOREIGN KEY ("workspace_id", "delivery_id") REFERENCES "webhook_deliveries"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "plays" ADD CONSTRAINT "FK_115160830df8324c3c409227131" FOREIGN KEY ("workspace_id", "webhook_endpoint_id") REFERENCES "webhook_endpoints"("workspace_id","id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "play_firings" ADD CONSTRAINT "FK_b36f0725a4a56f92aec419436ce" FOREIGN KEY ("workspace_id", "play_id") REFERENCES "plays"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "play_firings" ADD CONSTRAINT "FK_a6fef918fec290df8947745c79b" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "play_firings" DROP CONSTRAINT "FK_a6fef918fec290df8947745c79b"`);
        await queryRunner.query(`ALTER TABLE "play_firings" DROP CONSTRAINT "FK_b36f0725a4a56f92aec419436ce"`);
        await queryRunner.query(`ALTER TABLE "plays" DROP CONSTRAINT "FK_115160830df8324c3c409227131"`);
        await queryRunner.query(`ALTER TABLE "webhook_attempts" DROP CONSTRAINT "FK_766d1fdbcc1e657bd3b4522a455"`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_90f8e4580eb512895222f3adac2"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_617ad75c73a5b227270dd5f1028"`);
        await queryRunner.query(`DROP INDEX "public"."play_firings_open_key"`);
        await queryRunner.query(`DROP INDEX "public"."play_firings_recent_idx"`);
        await queryRunner.query(`DROP TABLE "play_firings"`);
        await queryRunner.query(`DROP INDEX "public"."plays_name_key"`);
        await queryRunner.query(`DROP TABLE "plays"`);
        await queryRunner.query(`DROP TABLE "webhook_attempts"`);
        await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_endpoint_idx"`);
        await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_due_idx"`);
        await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
        await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_name_key"`);
        await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_open_play_key"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_account_idx"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_status_due_idx"`);
        await queryRunner.query(`DROP TABLE "tasks"`);
    }

}
