/**
 * current_outcome_health.drivers are stored worst first: most points lost first, ties in the coin's component order
 * (position, component id), which is the order they were stored in until now. That is the order every reader
 * serves them in (`drivers(top: n)` the first n), so a read takes the first n (jsonb_path_query_array) instead of
 * sorting each row's drivers (a dashboard page of 50 accounts × 2 outcomes spent about half its PostgreSQL time
 * on that sort). The engine writes them so from now on (src/scoring/engine.sql.ts, _oh); this re-sorts the rows
 * written before, in one statement, in the order the read path sorted them (pointsLost, missing as 0, descending;
 * then the stored position). Rows already in that order are not rewritten.
 * health_snapshots are left as they are: their readers (change, movers) match drivers by componentId.
 */
import { MigrationInterface, QueryRunner } from "typeorm";

/** The drivers of row `h` worst first, ties in their stored order. */
const SORTED_DRIVERS_SQL = `(SELECT coalesce(jsonb_agg(e.d ORDER BY coalesce((e.d->>'pointsLost')::float8, 0) DESC, e.i), '[]'::jsonb)
    FROM jsonb_array_elements(h.drivers) WITH ORDINALITY AS e(d, i))`;

export class SortedDrivers1795449200000 implements MigrationInterface {
    name = 'SortedDrivers1795449200000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`UPDATE "current_outcome_health" c SET "drivers" = s.sorted
            FROM (SELECT h.workspace_id, h.account_id, h.outcome_id, h.drivers, ${SORTED_DRIVERS_SQL} AS sorted
                    FROM "current_outcome_health" h
                   WHERE jsonb_typeof(h.drivers) = 'array' AND jsonb_array_length(h.drivers) > 1) s
           WHERE c.workspace_id = s.workspace_id AND c.account_id = s.account_id AND c.outcome_id = s.outcome_id
             AND s.sorted <> s.drivers`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // Nothing to undo: the order carries no information (every reader before this migration sorted the
        // drivers itself or matched them by componentId), and the coin order cannot be told from the jsonb alone.
        void queryRunner;
    }
}
