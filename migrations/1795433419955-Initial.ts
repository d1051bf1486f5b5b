import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795433419955 implements MigrationInterface {
    name = 'Initial1795433419955'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "workspaces" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "red_below" double precision NOT NULL DEFAULT '40', "yellow_below" double precision NOT NULL DEFAULT '70', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "band_thresholds_ordered" CHECK ("red_below" > 0 AND "red_below" < "yellow_below" AND "yellow_below" <= 100), CONSTRAINT "PK_098656ae401f3e1a4586f47fd8e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "clusters" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text, "priority" integer NOT NULL, "rule" jsonb, "is_default" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5aa4cfc0186bc3226f78a33f4a0" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "clusters_one_default" ON "clusters" ("workspace_id") WHERE "is_default"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "clusters_name_key" ON "clusters" ("workspace_id", "name") `);
        await queryRunner.query(`CREATE TABLE "accounts" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "external_id" text NOT NULL, "name" text NOT NULL, "attributes" jsonb NOT NULL DEFAULT '{}', "csm_owner" text, "journey_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "renewal_date" date, "cluster_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_85f74a4c9a16bf84bb4abb6aec7" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "accounts_cluster_idx" ON "accounts" ("workspace_id", "cluster_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "accounts_external_id_key" ON "accounts" ("workspace_id", "external_id") `);
        await queryRunner.query(`CREATE TABLE "lifecycle_outcomes" ("workspace_id" uuid NOT NULL, "account_id" uuid NOT NULL, "kind" text NOT NULL, "occurred_on" date NOT NULL, CONSTRAINT "PK_b6c3ab4858ac0b620f35216899e" PRIMARY KEY ("workspace_id", "account_id", "kind", "occurred_on"))`);
        await queryRunner.query(`CREATE TABLE "outcomes" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "cluster_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "weight" double precision NOT NULL DEFAULT '1', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d001efb4055fa45c625043f92f1" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "outcomes_name_key" ON "outcomes" ("workspace_id", "cluster_id", "name") `);
        await queryRunner.query(`CREATE TABLE "coins" ("workspace_id" uuid NOT NULL, "outcome_id" uuid NOT NULL, "proactive_weight" double precision NOT NULL DEFAULT '50', "reactive_weight" double precision NOT NULL DEFAULT '50', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a7024392b1f9d3f49a4f4856446" PRIMARY KEY ("workspace_id", "outcome_id"))`);
        await queryRunner.query(`CREATE TABLE "components" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "outcome_id" uuid NOT NULL, "key" text NOT NULL, "name" text NOT NULL, "side" text NOT NULL, "metric" jsonb NOT NULL, "scoring" jsonb NOT NULL, "weight" double precision NOT NULL, "stage_overrides" jsonb NOT NULL DEFAULT '[]', "applicability" jsonb, "position" integer NOT NULL, CONSTRAINT "PK_0d3a025240e7b42788ab727da51" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "components_key" ON "components" ("workspace_id", "outcome_id", "key") `);
        await queryRunner.query(`CREATE TABLE "journeys" ("workspace_id" uuid NOT NULL, "outcome_id" uuid NOT NULL, "stuck_after_days" integer NOT NULL DEFAULT '30', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d69bd7ed18bbd68ff3a8373e463" PRIMARY KEY ("workspace_id", "outcome_id"))`);
        await queryRunner.query(`CREATE TABLE "journey_stages" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "outcome_id" uuid NOT NULL, "key" text NOT NULL, "name" text NOT NULL, "start_day" integer NOT NULL, CONSTRAINT "PK_bbd269905ebdaf07d74eae87d51" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "journey_stages_start_day_key" ON "journey_stages" ("workspace_id", "outcome_id", "start_day") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "journey_stages_key" ON "journey_stages" ("workspace_id", "outcome_id", "key") `);
        await queryRunner.query(`CREATE TABLE "milestones" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "outcome_id" uuid NOT NULL, "stage_id" uuid NOT NULL, "key" text NOT NULL, "name" text NOT NULL, "expected_by_day" integer NOT NULL, "weight" double precision NOT NULL, "completion" text NOT NULL, "rule" jsonb, "position" integer NOT NULL, CONSTRAINT "PK_604122a8e9bf93f30026a6fbba4" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "milestones_key" ON "milestones" ("workspace_id", "outcome_id", "key") `);
        await queryRunner.query(`CREATE TABLE "milestone_completions" ("workspace_id" uuid NOT NULL, "account_id" uuid NOT NULL, "milestone_id" uuid NOT NULL, "achieved_at" TIMESTAMP WITH TIME ZONE NOT NULL, "note" text, "completed_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_db01521c557828cd4e7ffdfde7b" PRIMARY KEY ("workspace_id", "account_id", "milestone_id"))`);
        await queryRunner.query(`CREATE TABLE "signals" ("workspace_id" uuid NOT NULL, "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "account_id" uuid NOT NULL, "type" text NOT NULL, "subject" text, "value" double precision, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "idempotency_key" text, "ingested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ac1f15b0e8383d72f0c5ad61e3f" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "signals_idempotency_key" ON "signals" ("workspace_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "signals_account_type_time_idx" ON "signals" ("workspace_id", "account_id", "type", "occurred_at") `);
        await queryRunner.query(`CREATE TABLE "api_keys" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "role" text NOT NULL, "prefix" text NOT NULL, "key_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b08b43033d3d3a40cf23b5b7583" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" ("key_hash") `);
        await queryRunner.query(`ALTER TABLE "clusters" ADD CONSTRAINT "FK_fe3f3bee74f316d47768cf6fa1b" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "accounts" ADD CONSTRAINT "FK_2236d9e56d55eb6b70c09ab3da4" FOREIGN KEY ("workspace_id", "cluster_id") REFERENCES "clusters"("workspace_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "lifecycle_outcomes" ADD CONSTRAINT "FK_04615db4b85bd98444de7d99e75" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "outcomes" ADD CONSTRAINT "FK_6955aafaed8ed7ebff2f0182eca" FOREIGN KEY ("workspace_id", "cluster_id") REFERENCES "clusters"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "coins" ADD CONSTRAINT "FK_a7024392b1f9d3f49a4f4856446" FOREIGN KEY ("workspace_id", "outcome_id") REFERENCES "outcomes"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "components" ADD CONSTRAINT "FK_b393b6d20964334dc383771219c" FOREIGN KEY ("workspace_id", "outcome_id") REFERENCES "coins"("workspace_id","outcome_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "journeys" ADD CONSTRAINT "FK_d69bd7ed18bbd68ff3a8373e463" FOREIGN KEY ("workspace_id", "outcome_id") REFERENCES "outcomes"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "journey_stages" ADD CONSTRAINT "FK_778951e4caed9642194bd1b3865" FOREIGN KEY ("workspace_id", "outcome_id") REFERENCES "journeys"("workspace_id","outcome_id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "milestones" ADD CONSTRAINT "FK_b52ce5f4919fee8d6aacf9eae49" FOREIGN KEY ("workspace_id", "stage_id") REFERENCES "journey_stages"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "milestone_completions" ADD CONSTRAINT "FK_8c52e6473f40a7b81d7ffdbc24c" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "milestone_completions" ADD CONSTRAINT "FK_c9375e2961ad0f5e7674c0462bf" FOREIGN KEY ("workspace_id", "milestone_id") REFERENCES "milestones"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "signals" ADD CONSTRAINT "FK_5720a78684d7951ae6d0a3b8c79" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_deb68fe8625b21785d1c48283e4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_deb68fe8625b21785d1c48283e4"`);
        await queryRunner.query(`ALTER TABLE "signals" DROP CONSTRAINT "FK_5720a78684d7951ae6d0a3b8c79"`);
        await queryRunner.query(`ALTER TABLE "milestone_completions" DROP CONSTRAINT "FK_c9375e2961ad0f5e7674c0462bf"`);
        await queryRunner.query(`ALTER TABLE "milestone_completions" DROP CONSTRAINT "FK_8c52e6473f40a7b81d7ffdbc24c"`);
        await queryRunner.query(`ALTER TABLE "milestones" DROP CONSTRAINT "FK_b52ce5f4919fee8d6aacf9eae49"`);
        await queryRunner.query(`ALTER TABLE "journey_stages" DROP CONSTRAINT "FK_778951e4caed9642194bd1b3865"`);
        await queryRunner.query(`ALTER TABLE "journeys" DROP CONSTRAINT "FK_d69bd7ed18bbd68ff3a8373e463"`);
        await queryRunner.query(`ALTER TABLE "components" DROP CONSTRAINT "FK_b393b6d20964334dc383771219c"`);
        await queryRunner.query(`ALTER TABLE "coins" DROP CONSTRAINT "FK_a7024392b1f9d3f49a4f4856446"`);
        await queryRunner.query(`ALTER TABLE "outcomes" DROP CONSTRAINT "FK_6955aafaed8ed7ebff2f0182eca"`);
        await queryRunner.query(`ALTER TABLE "lifecycle_outcomes" DROP CONSTRAINT "FK_04615db4b85bd98444de7d99e75"`);
        await queryRunner.query(`ALTER TABLE "accounts" DROP CONSTRAINT "FK_2236d9e56d55eb6b70c09ab3da4"`);
        await queryRunner.query(`ALTER TABLE "clusters" DROP CONSTRAINT "FK_fe3f3bee74f316d47768cf6fa1b"`);
        await queryRunner.query(`DROP INDEX "public"."api_keys_key_hash_key"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP INDEX "public"."signals_account_type_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."signals_idempotency_key"`);
        await queryRunner.query(`DROP TABLE "signals"`);
        await queryRunner.query(`DROP TABLE "milestone_completions"`);
        await queryRunner.query(`DROP INDEX "public"."milestones_key"`);
        await queryRunner.query(`DROP TABLE "milestones"`);
        await queryRunner.query(`DROP INDEX "public"."journey_stages_key"`);
        await queryRunner.query(`DROP INDEX "public"."journey_stages_start_day_key"`);
        await queryRunner.query(`DROP TABLE "journey_stages"`);
        await queryRunner.query(`DROP TABLE "journeys"`);
        await queryRunner.query(`DROP INDEX "public"."components_key"`);
        await queryRunner.query(`DROP TABLE "components"`);
        await queryRunner.query(`DROP TABLE "coins"`);
        await queryRunner.query(`DROP INDEX "public"."outcomes_name_key"`);
        await queryRunner.query(`DROP TABLE "outcomes"`);
        await queryRunner.query(`DROP TABLE "lifecycle_outcomes"`);
        await queryRunner.query(`DROP INDEX "public"."accounts_external_id_key"`);
        await queryRunner.query(`DROP INDEX "public"."accounts_cluster_idx"`);
        await queryRunner.query(`DROP TABLE "accounts"`);
        await queryRunner.query(`DROP INDEX "public"."clusters_name_key"`);
        await queryRunner.query(`DROP INDEX "public"."clusters_one_default"`);
        await queryRunner.query(`DROP TABLE "clusters"`);
        await queryRunner.query(`DROP TABLE "workspaces"`);
    }

}
