/**
 * signals_type_time_idx (workspace_id, type, occurred_at) INCLUDE (account_id): the access path of a targeted
 * rescore's PERCENTILE peers (src/scoring/engine.sql.ts, _pv): "every signal of this type in the last w days of the
 * workspace, by account" becomes one index-only range scan instead of one probe of signals_account_type_time_idx
 * per account of the cluster (100k accounts, COUNT login over 7 days: the peers' values in ~60 ms instead of ~500 ms).
 * Cost: one more btree on signals (~75 bytes a row); inserts in occurred_at order append at the right edge of each
 * (workspace, type) range, a bulk load of random historical times pays random page writes.
 * IF NOT EXISTS: on a big existing table build it first with CREATE INDEX CONCURRENTLY (same name and definition).
 * INCLUDE is beyond TypeORM's @Index: declared on Signal with `synchronize: false`.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

export class SignalsTypeTimeIndex1795449100000 implements MigrationInterface {
    name = 'SignalsTypeTimeIndex1795449100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX IF NOT EXISTS "signals_type_time_idx" ON "signals" ("workspace_id", "type", "occurred_at") INCLUDE ("account_id")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."signals_type_time_idx"`);
    }

}
