/**
 * health_events (src/live/health-event.entity.ts): the events behind the `healthChanged` subscription.
 * - PK (workspace_id, id).
 * - health_events_batch_idx (workspace_id, batch_id): every instance loads a published batch by the id
 *   carried in the NOTIFY payload.
 * - health_events_created_idx (workspace_id, created_at): catch-up after a reconnect (`healthEvents(since:)`)
 *   and the retention delete.
 * - FK to accounts ON DELETE CASCADE (events of a deleted account go with it).
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class HealthEvents1795435000000 implements MigrationInterface {
    name = 'HealthEvents1795435000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "health_events" ("workspace_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "batch_id" uuid NOT NULL, "kind" text NOT NULL, "account_id" uuid NOT NULL, "outcome_id" uuid, "milestone_id" uuid, "from_band" text, "to_band" text, "score" double precision, "previous_score" double precision, "days_overdue" integer, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5fddb5c9e6e43eb4028dc1039df" PRIMARY KEY ("workspace_id", "id"))`);
        await queryRunner.query(`CREATE INDEX "health_events_created_idx" ON "health_events" ("workspace_id", "created_at") `);
        await queryRunner.query(`CREATE INDEX "health_events_batch_idx" ON "health_events" ("workspace_id", "batch_id") `);
        await queryRunner.query(`ALTER TABLE "health_events" ADD CONSTRAINT "FK_2d0382066e8a874e8a47b13adc6" FOREIGN KEY ("workspace_id", "account_id") REFERENCES "accounts"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "health_events" DROP CONSTRAINT "FK_2d0382066e8a874e8a47b13adc6"`);
        await queryRunner.query(`DROP INDEX "public"."health_events_batch_idx"`);
        await queryRunner.query(`DROP INDEX "public"."health_events_created_idx"`);
        await queryRunner.query(`DROP TABLE "health_events"`);
    }

}
