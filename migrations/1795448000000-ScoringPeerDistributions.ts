/**
 * PERCENTILE peers computed once per scoring run instead of once per chunk (100k accounts in chunks of 5,000:
 * every chunk used to recompute the metric values of the whole cluster):
 * - scoring_peer_distributions: per run × model hash × PERCENTILE component, the distribution of the peers' values at
 *   the run's asOf (distinct values ascending, with the count of lower and of equal values, and the total), written by
 *   the run's first chunk and read by the others. No entity: only the engine reads and writes it, in raw SQL.
 * - UNLOGGED: a cache; after a crash PostgreSQL empties it and the next chunk recomputes the distribution.
 * - Its primary key (workspace_id, run_id, model_hash, component_id) is the engine's lookup; no other index. The
 *   foreign key to scoring_runs cascades (an unlogged table may reference a logged one); a run deletes its rows when
 *   it succeeds.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class ScoringPeerDistributions1795448000000 implements MigrationInterface {
    name = 'ScoringPeerDistributions1795448000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE UNLOGGED TABLE "scoring_peer_distributions" ("workspace_id" uuid NOT NULL, "run_id" uuid NOT NULL, "model_hash" text NOT NULL, "component_id" uuid NOT NULL, "vals" double precision[] NOT NULL, "lowers" integer[] NOT NULL, "equals" integer[] NOT NULL, "total" integer NOT NULL, CONSTRAINT "scoring_peer_distributions_pkey" PRIMARY KEY ("workspace_id", "run_id", "model_hash", "component_id"))`);
        await queryRunner.query(`ALTER TABLE "scoring_peer_distributions" ADD CONSTRAINT "scoring_peer_distributions_run_fkey" FOREIGN KEY ("workspace_id", "run_id") REFERENCES "scoring_runs"("workspace_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "scoring_peer_distributions"`);
    }
}
