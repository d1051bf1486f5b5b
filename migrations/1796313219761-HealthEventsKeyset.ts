/** healthEvents pages by (created_at, id): the index orders both, so a page is one index range however far down it is (a batch's events share created_at). */
import { MigrationInterface, QueryRunner } from "typeorm";

export class HealthEventsKeyset1796313219761 implements MigrationInterface {
    name = 'HealthEventsKeyset1796313219761'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."health_events_created_idx"`);
        await queryRunner.query(`CREATE INDEX "health_events_created_idx" ON "health_events" ("workspace_id", "created_at", "id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."health_events_created_idx"`);
        await queryRunner.query(`CREATE INDEX "health_events_created_idx" ON "health_events" ("workspace_id", "created_at") `);
    }

}
