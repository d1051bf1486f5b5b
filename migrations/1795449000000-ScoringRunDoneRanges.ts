/**
 * Chunks of one scoring run are scored in parallel (SCORING_RUN_CONCURRENCY) and can commit out of order: a run
 * keeps the chunks committed beyond its cursor (the id up to which every account is scored) as ranges, so that a
 * resumed run skips them.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ScoringRunDoneRanges1795449000000 implements MigrationInterface {
    name = 'ScoringRunDoneRanges1795449000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "scoring_runs" ADD "done_ranges" jsonb NOT NULL DEFAULT '[]'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "scoring_runs" DROP COLUMN "done_ranges"`);
    }
}
